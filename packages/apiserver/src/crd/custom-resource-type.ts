import { fieldInvalid, newInvalid, StatusError, newMethodNotSupported } from '@kcp-ts/apimachinery';
import { ALL_VERBS, STATUS_SUBRESOURCE, storageVersionHash } from '../builtin/define';
import type { OpenAPISchema } from '../builtin/schemas';
import { compareKubeVersions } from '../discovery/discovery';
import type { Obj, ResourceDefinition, Strategy, SubresourceDefinition, TableColumn, TableDefinition } from '../registry/types';
import { cellForJsonValue, columns } from '../rest/table';
import { evaluateJsonPath, parseJsonPath, printJsonPathValue } from './jsonpath';
import type { CompiledSchema, SchemaCache } from './schema/compiled-schema';
import { isObject } from './schema/schema-node';
import type { CustomResourceTypeSpec, CustomResourceVersion, JSONSchemaProps, PrinterColumn, ScaleSubresource } from './types';

const OBJECT_META_REF = '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
/** A schema accepting anything: versions without a schema (allowed by APIResourceSchemas) keep every field. */
const OPEN_SCHEMA: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

const compiledByDefinition = new WeakMap<ResourceDefinition, CompiledSchema>();

/**
 * Prunes a custom resource of `definition` (unknown fields, metadata beyond
 * ObjectMeta) and returns the paths of what was dropped; `undefined` when
 * `definition` is not a custom resource. The REST layer's
 * `pruneUnknownFields` hook.
 */
export function pruneCustomResourceFields(definition: ResourceDefinition, object: Obj): string[] | undefined {
  return compiledByDefinition.get(definition)?.prune(object);
}

/** Makes `alias` (a copy of `definition`, e.g. with a rebased storage layout) known as the same custom resource. */
export function aliasDefinition(alias: ResourceDefinition, definition: ResourceDefinition): void {
  const compiled = compiledByDefinition.get(definition);
  if (compiled) compiledByDefinition.set(alias, compiled);
}

/** The compiled schema behind a custom resource definition, if `definition` is one. */
export function compiledSchemaOf(definition: ResourceDefinition): CompiledSchema | undefined {
  return compiledByDefinition.get(definition);
}

/**
 * A custom resource type compiled from its description (a CRD's, or later an
 * APIResourceSchema's): one {@link ResourceDefinition} per served version,
 * sharing one storage prefix, with schema validation, pruning and defaulting
 * (also on read), CEL rules, status and scale subresources, printer columns,
 * selectable fields, deprecation warnings and OpenAPI. Holds references to
 * compiled schemas: call {@link release} when the type goes away.
 */
export class CustomResourceType {
  /** served versions, the storage version first when it is served */
  readonly definitions: readonly ResourceDefinition[];
  private readonly compiled: CompiledSchema[] = [];

  constructor(
    readonly spec: CustomResourceTypeSpec,
    private readonly schemas: SchemaCache,
  ) {
    const storage = spec.versions.find((v) => v.storage) ?? spec.versions[0];
    const storageVersion = storage?.name ?? '';
    const served = spec.versions.filter((v) => v.served).sort((a, b) => (a === storage ? -1 : b === storage ? 1 : 0));
    this.definitions = served.map((version) => {
      const compiled = schemas.acquire(version.schema?.openAPIV3Schema ?? OPEN_SCHEMA);
      this.compiled.push(compiled);
      const definition = buildDefinition(spec, version, storageVersion, compiled);
      compiledByDefinition.set(definition, compiled);
      return definition;
    });
  }

  /** Returns the compiled schemas to the cache. */
  release(): void {
    for (const compiled of this.compiled.splice(0)) this.schemas.release(compiled);
  }
}

function buildDefinition(spec: CustomResourceTypeSpec, version: CustomResourceVersion, storageVersion: string, compiled: CompiledSchema): ResourceDefinition {
  const { group, names } = spec;
  const statusEnabled = version.subresources?.status !== undefined;
  const subresources: Record<string, SubresourceDefinition> = {};
  if (statusEnabled) subresources['status'] = STATUS_SUBRESOURCE;
  if (version.subresources?.scale) subresources['scale'] = scaleSubresource(version.subresources.scale);
  const strategy: Strategy = {
    statusSubresource: statusEnabled,
    tracksGeneration: true,
    defaults(object) {
      const defaulted = compiled.applyDefaults(object);
      if (defaulted !== object) Object.assign(object, defaulted);
    },
    prepareForCreate(object) {
      if (spec.terminating) {
        const err = newMethodNotSupported({ group, resource: names.plural }, 'create');
        throw new StatusError({ ...err.status, message: 'create not allowed while custom resource definition is terminating' });
      }
      if (statusEnabled) delete object['status'];
    },
    validate: (object) => compiled.validate(object),
    validateUpdate: (object, old) => compiled.validate(object, old),
  };
  const schemaName = `${group.split('.').reverse().join('.')}.${version.name}.${names.kind}`;
  let published: Record<string, OpenAPISchema> | undefined;
  const selectable = (version.selectableFields ?? []).map((f) => ({ label: f.jsonPath.replace(/^\./, ''), path: parseJsonPath(f.jsonPath) }));
  const deprecationWarning = version.deprecated ? (version.deprecationWarning ?? defaultDeprecationWarning(spec, version)) : undefined;
  return {
    group,
    version: version.name,
    resource: names.plural,
    kind: names.kind,
    listKind: names.listKind,
    singular: names.singular,
    namespaced: spec.namespaced,
    shortNames: names.shortNames,
    categories: names.categories,
    verbs: ALL_VERBS,
    subresources,
    storage: {
      prefix: spec.storagePrefix,
      storageApiVersion: `${group}/${storageVersion}`,
      // defaults apply on read too (not persisted until the next write)
      fromStorage: (object) => compiled.applyDefaults(object),
    },
    strategy,
    table: tableOf(version.additionalPrinterColumns ?? []),
    ...(selectable.length > 0
      ? {
          fieldLabels: (object: Obj) => {
            const labels: Record<string, string> = {};
            for (const { label, path } of selectable) {
              const [value] = evaluateJsonPath(object, path);
              labels[label] = typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
            }
            return labels;
          },
        }
      : {}),
    schemaName,
    openAPISchemas: () => (published ??= { [schemaName]: publishedSchema(compiled.schema, group, version.name, names.kind) }),
    returnDeletedObject: true,
    nameValidation: 'dns1123-subdomain',
    ...(deprecationWarning !== undefined ? { deprecationWarning } : {}),
    storageVersionHash: storageVersionHash(group, storageVersion, names.kind),
  };
}

/** `<group>/<version> <Kind> is deprecated; use <group>/<newest> <Kind>` (upstream's default warning). */
function defaultDeprecationWarning(spec: CustomResourceTypeSpec, version: CustomResourceVersion): string {
  const base = `${spec.group}/${version.name} ${spec.names.kind} is deprecated`;
  const replacement = spec.versions
    .filter((v) => v.served && !v.deprecated)
    .map((v) => v.name)
    .sort(compareKubeVersions)[0];
  return replacement ? `${base}; use ${spec.group}/${replacement} ${spec.names.kind}` : base;
}

/** The schema as OpenAPI v3 publishes it: apiVersion, kind and metadata described, the group-version-kind attached. */
function publishedSchema(schema: JSONSchemaProps, group: string, version: string, kind: string): OpenAPISchema {
  const properties: Record<string, unknown> = {
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: { allOf: [{ $ref: OBJECT_META_REF }], description: "Standard object's metadata." },
  };
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    if (name !== 'metadata' && name !== 'apiVersion' && name !== 'kind') properties[name] = child;
  }
  const { properties: _own, ...rest } = schema;
  return { ...rest, type: 'object', properties, 'x-kubernetes-group-version-kind': [{ group, kind, version }] } as unknown as OpenAPISchema;
}

/** The description upstream gives a printer column without one of its own. */
const columnDescription = (jsonPath: string) => `Custom resource definition column (in JSONPath format): ${jsonPath}`;

/** The table of a custom resource: its printer columns, or an Age column when it has none, as upstream serves them. */
function tableOf(printerColumns: readonly PrinterColumn[]): TableDefinition {
  if (printerColumns.length === 0) {
    return {
      columns: [
        columns.name,
        {
          name: 'Age',
          type: 'date',
          description: columnDescription('.metadata.creationTimestamp'),
          cell: (o, now) => cellForJsonValue('date', o.metadata.creationTimestamp ?? null, now),
        },
      ],
    };
  }
  return {
    columns: [
      columns.name,
      ...printerColumns.map((column): TableColumn => {
        const path = parseJsonPath(column.jsonPath);
        const type = column.type as TableColumn['type'];
        return {
          name: column.name,
          type,
          ...(column.format ? { format: column.format } : {}),
          description: column.description || columnDescription(column.jsonPath),
          ...(column.priority ? { priority: column.priority } : {}),
          cell: (object, now) => {
            const [value] = evaluateJsonPath(object, path);
            if (value === undefined || value === null) return null;
            return type === 'string' ? printJsonPathValue(value) : cellForJsonValue(type, value, now);
          },
        };
      }),
    ],
  };
}

function readPath(object: Obj, path: string): unknown {
  const [value] = evaluateJsonPath(object, parseJsonPath(path));
  return value;
}

function writePath(object: Obj, path: string, value: unknown): void {
  const segments = parseJsonPath(path);
  let current: Record<string, unknown> = object;
  for (const [i, segment] of segments.entries()) {
    if (segment.kind !== 'field') return;
    if (i === segments.length - 1) {
      current[segment.name] = value;
      return;
    }
    const next = current[segment.name];
    if (!isObject(next)) current[segment.name] = {};
    current = current[segment.name] as Record<string, unknown>;
  }
}

/** `/scale` as `autoscaling/v1 Scale`, read from and written to the paths the version names. */
function scaleSubresource(scale: ScaleSubresource): SubresourceDefinition {
  return {
    verbs: ['get', 'patch', 'update'],
    kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
    view: {
      toView(object) {
        const specReplicas = readPath(object, scale.specReplicasPath);
        const statusReplicas = readPath(object, scale.statusReplicasPath);
        const selector = scale.labelSelectorPath ? readPath(object, scale.labelSelectorPath) : undefined;
        const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
        return {
          kind: 'Scale',
          apiVersion: 'autoscaling/v1',
          metadata: { name, ...(namespace ? { namespace } : {}), uid, resourceVersion, creationTimestamp },
          spec: { replicas: typeof specReplicas === 'number' ? specReplicas : 0 },
          status: { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0, ...(typeof selector === 'string' ? { selector } : {}) },
        } as Obj;
      },
      fromView(current, view) {
        const replicas = isObject(view['spec']) ? view['spec']['replicas'] : undefined;
        const name = current.metadata.name ?? '';
        if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
          throw newInvalid({ group: 'autoscaling', kind: 'Scale' }, name, [fieldInvalid('spec.replicas', replicas ?? null, 'must be an integer')]);
        }
        if (replicas < 0) {
          throw newInvalid({ group: 'autoscaling', kind: 'Scale' }, name, [fieldInvalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
        }
        writePath(current, scale.specReplicasPath, replicas);
        return current;
      },
    },
  };
}
