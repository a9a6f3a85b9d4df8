import type { Obj, ResourceDefinition, TableColumn, TableDefinition } from '../registry/types';
import { age, humanDuration } from '../table/duration';
import { RFC3339, parseGoTime } from './go-time';

const NAME_COLUMN: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.',
  cell: (o) => o.metadata.name ?? '',
};

const AGE_COLUMN: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o, now) => age(o.metadata.creationTimestamp, now),
};

/**
 * `Created At`: the creation time in RFC 3339, as upstream's default table
 * convertor and the RBAC role printers print it (kubectl shows it as is).
 */
const CREATED_AT_COLUMN: TableColumn = {
  name: 'Created At',
  type: 'date',
  description: AGE_COLUMN.description,
  cell: (o) => o.metadata.creationTimestamp ?? '0001-01-01T00:00:00Z',
};

/** The default columns of a type without its own: NAME, AGE. */
export const DEFAULT_TABLE: TableDefinition = { columns: [NAME_COLUMN, AGE_COLUMN] };

/** Helpers for type definitions. */
export const columns = { name: NAME_COLUMN, age: AGE_COLUMN, createdAt: CREATED_AT_COLUMN };

/** Go's zero time, 0001-01-01T00:00:00Z, in Unix milliseconds */
const ZERO_TIME_MS = -62_135_596_800_000;

/**
 * A JSON value in a non-string column of a custom resource's table (string
 * columns print any value as JSONPath does), as upstream's custom resource
 * table convertor turns it into a cell: a value of another
 * type than the column's is empty (null), integers are truncated, and a
 * `date` is the time since then (`<invalid>` when not an RFC 3339 time,
 * `<unknown>` for the zero time).
 */
export function cellForJsonValue(type: Exclude<TableColumn['type'], 'string'>, value: unknown, now: number): unknown {
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      if (value === '' || value === 'null') return '<unknown>';
      const parsed = parseGoTime(RFC3339, value);
      if (!parsed.ok) return '<invalid>';
      return parsed.epochMillis === ZERO_TIME_MS ? '<unknown>' : humanDuration(now - parsed.epochMillis);
    }
  }
}

/** The `metadata` of a PartialObjectMetadata (everything kubectl reads from rows: namespace, labels…). */
export function partialObjectMetadata(object: Obj, version: string): Obj {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: object.metadata } as Obj;
}

/** A `Table` of objects (`kubectl get`): the type's columns, one row per object. */
export function buildTable(
  definition: ResourceDefinition,
  objects: readonly Obj[],
  options: { version: string; includeObject: 'None' | 'Metadata' | 'Object'; listMeta?: Record<string, unknown>; withColumns?: boolean },
): Record<string, unknown> {
  const table = definition.table ?? DEFAULT_TABLE;
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata: options.listMeta ?? {},
    ...(options.withColumns === false
      ? {}
      : {
          columnDefinitions: table.columns.map((c) => ({
            name: c.name,
            type: c.type,
            format: c.format ?? '',
            description: c.description,
            priority: c.priority ?? 0,
          })),
        }),
    rows: objects.map((object) => {
      const view = table.rowView?.(object) ?? object;
      return {
        cells: table.columns.map((c) => c.cell(view, now) ?? null),
        ...(options.includeObject === 'None'
          ? {}
          : { object: options.includeObject === 'Object' ? object : partialObjectMetadata(object, options.version) }),
      };
    }),
  };
}
