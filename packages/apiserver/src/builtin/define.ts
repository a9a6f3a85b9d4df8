import { createHash } from 'node:crypto';
import { patchMetaFor } from '../openapi/structural';
import type { ResourceDefinition, StorageLayout, Strategy, SubresourceDefinition, TableDefinition } from '../registry/types';
import { builtinSchemas, schemaNameForKind } from './schemas';

/** Every verb of an ordinary stored resource, as discovery lists them. */
export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
/** The status subresource: writes take `.status` from the body and keep everything else. */
export const STATUS_SUBRESOURCE: SubresourceDefinition = {
  verbs: ['get', 'patch', 'update'],
  merge: (current, body) => {
    const next = { ...structuredClone(current) };
    if (body['status'] === undefined) delete next['status'];
    else next['status'] = structuredClone(body['status']);
    return next;
  },
};

/** The storage prefix of a built-in resource, kcp's layout: `/registry/<group or "core">/<resource>/`. */
export function builtinPrefix(group: string, resource: string): string {
  return `/registry/${group === '' ? 'core' : group}/${resource}/`;
}

/** Upstream's storage version hash: base64 of the first 8 bytes of sha256("<group>/<version>/<kind>"). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

export interface BuiltinSpec {
  group: string;
  version: string;
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: readonly string[];
  subresources?: Record<string, SubresourceDefinition>;
  strategy: Strategy;
  table?: TableDefinition;
  fieldLabels?: ResourceDefinition['fieldLabels'];
  nameValidation?: ResourceDefinition['nameValidation'];
  /** a storage layout other than the default (shared storage of another version) */
  storage?: StorageLayout | false;
  virtualCreate?: ResourceDefinition['virtualCreate'];
  returnDeletedObject?: boolean;
  /**
   * Whether lists are Go typed lists, their items without `apiVersion` and
   * `kind` (`ResourceDefinition.typedList`). Default true, as for
   * Kubernetes' own types; false for a kind that stands for a custom
   * resource (kcp serves its own kinds from CRDs).
   */
  typedList?: boolean;
}

/** A built-in resource definition with its schema-derived patch metadata and storage layout. */
export function defineBuiltin(spec: BuiltinSpec): ResourceDefinition {
  const schemaName = schemaNameForKind(spec.group, spec.version, spec.kind);
  const schema = schemaName ? builtinSchemas[schemaName] : undefined;
  const apiVersion = spec.group === '' ? spec.version : `${spec.group}/${spec.version}`;
  const storage: StorageLayout | undefined =
    spec.storage === false ? undefined : (spec.storage ?? { prefix: builtinPrefix(spec.group, spec.resource), storageApiVersion: apiVersion });
  return {
    group: spec.group,
    version: spec.version,
    resource: spec.resource,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    singular: spec.singular,
    namespaced: spec.namespaced,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    verbs: spec.verbs ?? ALL_VERBS,
    subresources: spec.subresources ?? {},
    ...(storage ? { storage } : {}),
    strategy: spec.strategy,
    ...(spec.virtualCreate ? { virtualCreate: spec.virtualCreate } : {}),
    ...(spec.table ? { table: spec.table } : {}),
    ...(spec.fieldLabels ? { fieldLabels: spec.fieldLabels } : { defaultFieldSelectorConversion: true }),
    ...(schemaName ? { schemaName } : {}),
    ...(schema ? { patchMeta: patchMetaFor(schema, (name) => builtinSchemas[name]) } : {}),
    ...(spec.returnDeletedObject ? { returnDeletedObject: true } : {}),
    ...(spec.typedList === false ? {} : { typedList: true }),
    nameValidation: spec.nameValidation ?? 'dns1123-subdomain',
    ...(storage ? { storageVersionHash: storageVersionHash(spec.group, spec.version, spec.kind) } : {}),
  };
}
