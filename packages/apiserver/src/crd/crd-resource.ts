import {
  type FieldError,
  FIELD_IMMUTABLE_ERROR_MSG,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  fieldTooLong,
  isDNS1035Label,
  isDNS1123Subdomain,
} from '@kcp-ts/apimachinery';
import { STATUS_SUBRESOURCE, defineBuiltin } from '../builtin/define';
import type { DeletionStrategy, Obj, ResourceDefinition, Strategy } from '../registry/types';
import { columns } from '../rest/table';
import { isJsonPathError, isSimpleJsonPath, parseJsonPath } from './jsonpath';
import type { SchemaCache } from './schema/compiled-schema';
import { isObject } from './schema/schema-node';
import { validateCrdSchema } from './schema/schema-validation';
import {
  CRD_CLEANUP_FINALIZER,
  CRD_GROUP,
  CRD_RESOURCE,
  type CustomResourceDefinition,
  type CustomResourceDefinitionCondition,
  type CustomResourceDefinitionSpec,
  type CustomResourceVersion,
} from './types';

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];
const APPROVAL_ANNOTATION = 'api-approved.kubernetes.io';

type Json = Record<string, unknown>;

/** The condition of `type`, if the CRD has it. */
export function crdCondition(crd: { status?: { conditions?: readonly CustomResourceDefinitionCondition[] } }, type: string): CustomResourceDefinitionCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

/** Whether condition `type` is `True`. */
export function crdConditionTrue(crd: { status?: { conditions?: readonly CustomResourceDefinitionCondition[] } }, type: string): boolean {
  return crdCondition(crd, type)?.status === 'True';
}

/** Sets (or replaces) a condition, keeping `lastTransitionTime` when the status does not change. */
export function setCrdCondition(conditions: readonly CustomResourceDefinitionCondition[], next: CustomResourceDefinitionCondition, now: string): CustomResourceDefinitionCondition[] {
  const existing = conditions.find((c) => c.type === next.type);
  const condition = { ...next, lastTransitionTime: existing && existing.status === next.status && existing.lastTransitionTime ? existing.lastTransitionTime : now };
  return existing ? conditions.map((c) => (c.type === next.type ? condition : c)) : [...conditions, condition];
}

function asSpec(object: Obj): CustomResourceDefinitionSpec {
  return (isObject(object['spec']) ? object['spec'] : {}) as unknown as CustomResourceDefinitionSpec;
}

/** Upstream v1 defaults: singular and listKind from the kind, conversion `None`. */
function applyCrdDefaults(object: Obj): void {
  const spec = object['spec'];
  if (!isObject(spec)) return;
  const names = spec['names'];
  if (isObject(names) && typeof names['kind'] === 'string') {
    if (!names['singular']) names['singular'] = names['kind'].toLowerCase();
    if (!names['listKind']) names['listKind'] = `${names['kind']}List`;
  }
  if (spec['conversion'] === undefined) spec['conversion'] = { strategy: 'None' };
  if (Array.isArray(spec['versions'])) {
    for (const version of spec['versions']) {
      if (isObject(version) && Array.isArray(version['additionalPrinterColumns'])) {
        for (const column of version['additionalPrinterColumns']) if (isObject(column) && column['priority'] === undefined) column['priority'] = 0;
      }
    }
  }
}

/** Adds the storage version to `status.storedVersions` (upstream PrepareForCreate/Update). */
function recordStoredVersion(object: Obj): void {
  const spec = asSpec(object);
  const storage = (spec.versions ?? []).find((v) => isObject(v) && v.storage);
  if (!storage) return;
  const status = (isObject(object['status']) ? object['status'] : (object['status'] = {})) as Json;
  const stored = Array.isArray(status['storedVersions']) ? (status['storedVersions'] as string[]) : [];
  if (!stored.includes(storage.name)) status['storedVersions'] = [...stored, storage.name];
}

function validateNames(names: Json, path: string, errors: FieldError[]): void {
  for (const field of ['plural', 'singular'] as const) {
    const value = names[field];
    if (typeof value === 'string' && value !== '') for (const msg of isDNS1035Label(value)) errors.push(fieldInvalid(`${path}.${field}`, value, msg));
  }
  for (const field of ['kind', 'listKind'] as const) {
    const value = names[field];
    if (typeof value === 'string' && value !== '') {
      const msgs = isDNS1035Label(value.toLowerCase());
      if (msgs.length > 0) errors.push(fieldInvalid(`${path}.${field}`, value, `may have mixed case, but should otherwise match: ${msgs.join(',')}`));
    }
  }
  for (const field of ['shortNames', 'categories'] as const) {
    const list = names[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      errors.push(fieldInvalid(`${path}.${field}`, list, 'must be a list of strings'));
      continue;
    }
    for (const [i, value] of list.entries()) {
      for (const msg of isDNS1035Label(String(value))) errors.push(fieldInvalid(`${path}.${field}[${i}]`, value, msg));
    }
  }
  if (typeof names['kind'] === 'string' && names['kind'] !== '' && names['kind'] === names['listKind']) {
    errors.push(fieldInvalid(`${path}.listKind`, names['listKind'], 'kind and listKind may not be the same'));
  }
}

function validateJsonPathField(value: unknown, path: string, errors: FieldError[], under?: '.spec' | '.status' | '.spec or .status' | '.'): void {
  if (typeof value !== 'string' || value === '') {
    errors.push(fieldRequired(path, ''));
    return;
  }
  try {
    const segments = parseJsonPath(value);
    // printer columns may use any JSONPath (filters included); paths the server writes or selects by must be simple
    if (!value.startsWith('.') || (under !== undefined && !isSimpleJsonPath(segments))) {
      errors.push(fieldInvalid(path, value, 'must be a simple json path starting with .'));
      return;
    }
    const first = segments[0];
    if (under && first?.kind === 'field') {
      const allowed = under === '.spec' ? ['spec'] : under === '.status' ? ['status'] : ['spec', 'status'];
      if (under !== '.' && !allowed.includes(first.name)) errors.push(fieldInvalid(path, value, `should be a json path under ${under}`));
    }
  } catch (err) {
    if (!isJsonPathError(err)) throw err;
    errors.push(fieldInvalid(path, value, `must be a simple json path starting with .: ${err.message}`));
  }
}

function validateVersion(version: unknown, i: number, schemas: SchemaCache, errors: FieldError[]): void {
  const path = `spec.versions[${i}]`;
  if (!isObject(version)) {
    errors.push(fieldInvalid(path, version, 'must be an object'));
    return;
  }
  const v = version as unknown as CustomResourceVersion;
  if (typeof v.name !== 'string' || v.name === '') errors.push(fieldRequired(`${path}.name`, ''));
  else for (const msg of isDNS1035Label(v.name)) errors.push(fieldInvalid(`${path}.name`, v.name, msg));
  if (v.deprecationWarning !== undefined) {
    if (!v.deprecated) errors.push(fieldInvalid(`${path}.deprecationWarning`, v.deprecationWarning, 'can only be set for deprecated versions'));
    if (v.deprecationWarning.length > 256) errors.push(fieldTooLong(`${path}.deprecationWarning`, 256));
  }
  const schema = v.schema?.openAPIV3Schema;
  const schemaPath = `${path}.schema.openAPIV3Schema`;
  if (schema === undefined) {
    errors.push(fieldRequired(schemaPath, 'schemas are required'));
  } else {
    const schemaErrors = validateCrdSchema(schema, schemaPath);
    errors.push(...schemaErrors);
    if (schemaErrors.length === 0) {
      try {
        const compiled = schemas.acquire(schema);
        try {
          for (const err of compiled.rules.errors) errors.push({ ...err, field: `${path}.schema.${err.field}` });
        } finally {
          schemas.release(compiled);
        }
      } catch (err) {
        errors.push(fieldInvalid(`${path}.schema`, '', `error building validator: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
  }
  const scale = v.subresources?.scale;
  if (scale !== undefined) {
    const scalePath = `${path}.subresources.scale`;
    validateJsonPathField(scale.specReplicasPath, `${scalePath}.specReplicasPath`, errors, '.spec');
    validateJsonPathField(scale.statusReplicasPath, `${scalePath}.statusReplicasPath`, errors, '.status');
    if (scale.labelSelectorPath !== undefined && scale.labelSelectorPath !== '') {
      validateJsonPathField(scale.labelSelectorPath, `${scalePath}.labelSelectorPath`, errors, '.spec or .status');
    }
  }
  for (const [j, column] of (v.additionalPrinterColumns ?? []).entries()) {
    const columnPath = `${path}.additionalPrinterColumns[${j}]`;
    if (!column.name) errors.push(fieldRequired(`${columnPath}.name`, ''));
    if (!column.type) errors.push(fieldRequired(`${columnPath}.type`, ''));
    else if (!COLUMN_TYPES.includes(column.type)) errors.push(fieldNotSupported(`${columnPath}.type`, column.type, COLUMN_TYPES));
    if (column.format && !COLUMN_FORMATS.includes(column.format)) errors.push(fieldNotSupported(`${columnPath}.format`, column.format, COLUMN_FORMATS));
    if (column.priority !== undefined && column.priority < 0) errors.push(fieldInvalid(`${columnPath}.priority`, column.priority, 'must be greater than or equal to 0'));
    validateJsonPathField(column.jsonPath, `${columnPath}.jsonPath`, errors);
  }
  const selectable = v.selectableFields ?? [];
  if (selectable.length > 8) errors.push(fieldInvalid(`${path}.selectableFields`, selectable.length, 'must have at most 8 items'));
  for (const [j, field] of selectable.entries()) validateJsonPathField(field.jsonPath, `${path}.selectableFields[${j}].jsonPath`, errors, '.');
}

/** Upstream `ValidateCustomResourceDefinition` (create): name, group, names, scope, versions and their schemas. */
export function validateCustomResourceDefinition(object: Obj, schemas: SchemaCache): FieldError[] {
  const errors: FieldError[] = [];
  const spec = object['spec'];
  if (!isObject(spec)) return [fieldRequired('spec', '')];
  const group = spec['group'];
  const names = isObject(spec['names']) ? spec['names'] : {};
  const plural = typeof names['plural'] === 'string' ? names['plural'] : '';
  if (object.metadata.name !== `${plural}.${typeof group === 'string' ? group : ''}`) {
    errors.push(fieldInvalid('metadata.name', object.metadata.name ?? '', 'must be spec.names.plural+"."+spec.group'));
  }
  if (typeof group !== 'string' || group === '') {
    errors.push(fieldRequired('spec.group', ''));
  } else {
    const msgs = isDNS1123Subdomain(group);
    if (msgs.length > 0) errors.push(fieldInvalid('spec.group', group, msgs.join(',')));
    else if (group.split('.').length < 2) errors.push(fieldInvalid('spec.group', group, 'should be a domain with at least one dot'));
    const protectedGroup = group === 'k8s.io' || group.endsWith('.k8s.io') || group === 'kubernetes.io' || group.endsWith('.kubernetes.io');
    if (protectedGroup && !(object.metadata.annotations ?? {})[APPROVAL_ANNOTATION]) {
      errors.push(
        fieldRequired(
          `metadata.annotations[${APPROVAL_ANNOTATION}]`,
          `protected groups must have approval annotation "${APPROVAL_ANNOTATION}", see https://github.com/kubernetes/enhancements/pull/1111`,
        ),
      );
    }
  }
  const scope = spec['scope'];
  if (scope === undefined || scope === '') errors.push(fieldRequired('spec.scope', ''));
  else if (scope !== 'Cluster' && scope !== 'Namespaced') errors.push(fieldNotSupported('spec.scope', scope, ['Cluster', 'Namespaced']));
  for (const field of ['plural', 'singular', 'kind', 'listKind']) {
    if (typeof names[field] !== 'string' || names[field] === '') errors.push(fieldRequired(`spec.names.${field}`, ''));
  }
  validateNames(names, 'spec.names', errors);
  const versions = Array.isArray(spec['versions']) ? spec['versions'] : [];
  if (versions.length === 0) {
    errors.push(fieldRequired('spec.versions', 'must have exactly one version marked as storage version'));
  } else {
    const seen = new Set<string>();
    let storage = 0;
    let unique = true;
    for (const [i, version] of versions.entries()) {
      if (isObject(version)) {
        if (version['storage'] === true) storage++;
        const name = typeof version['name'] === 'string' ? version['name'] : '';
        if (seen.has(name)) unique = false;
        seen.add(name);
      }
      validateVersion(version, i, schemas, errors);
    }
    const versionNames: unknown[] = versions.map((v: unknown) => (isObject(v) ? v['name'] : v));
    if (!unique) errors.push(fieldInvalid('spec.versions', versionNames, 'must contain unique version names'));
    if (storage !== 1) errors.push(fieldInvalid('spec.versions', versionNames, 'must have exactly one version marked as storage version'));
  }
  const conversion = isObject(spec['conversion']) ? spec['conversion'] : {};
  if (conversion['strategy'] !== 'None') {
    // conversion webhooks are not supported by this server (documented divergence)
    errors.push(fieldNotSupported('spec.conversion.strategy', conversion['strategy'] ?? '', ['None']));
  }
  if (spec['preserveUnknownFields'] === true) {
    errors.push(fieldInvalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  return errors;
}

/** Upstream `ValidateCustomResourceDefinitionUpdate`: create's rules, immutable fields, stored versions. */
export function validateCustomResourceDefinitionUpdate(object: Obj, old: Obj, schemas: SchemaCache): FieldError[] {
  const errors = validateCustomResourceDefinition(object, schemas);
  const spec = asSpec(object);
  const oldSpec = asSpec(old);
  if (spec.group !== oldSpec.group) errors.push(fieldInvalid('spec.group', spec.group, FIELD_IMMUTABLE_ERROR_MSG));
  if (spec.names?.plural !== oldSpec.names?.plural) errors.push(fieldInvalid('spec.names.plural', spec.names?.plural ?? '', FIELD_IMMUTABLE_ERROR_MSG));
  if (crdConditionTrue(old as unknown as CustomResourceDefinition, 'Established')) {
    if (spec.scope !== oldSpec.scope) errors.push(fieldInvalid('spec.scope', spec.scope, FIELD_IMMUTABLE_ERROR_MSG));
    if (spec.names?.kind !== oldSpec.names?.kind) errors.push(fieldInvalid('spec.names.kind', spec.names?.kind ?? '', FIELD_IMMUTABLE_ERROR_MSG));
  }
  const status = isObject(object['status']) ? object['status'] : {};
  const names = new Set((spec.versions ?? []).map((v) => v.name));
  for (const [i, stored] of (Array.isArray(status['storedVersions']) ? status['storedVersions'] : []).entries()) {
    if (!names.has(stored as string)) errors.push(fieldInvalid(`status.storedVersions[${i}]`, stored, 'must appear in spec.versions'));
  }
  const accepted = status['acceptedNames'];
  if (isObject(accepted)) validateNames(accepted, 'status.acceptedNames', errors);
  return errors;
}

/**
 * Deleting a CRD first adds the cleanup finalizer and the `Terminating`
 * condition (upstream's CRD REST `Delete`); the finalizer controller then
 * deletes the custom resources and removes the finalizer.
 */
const crdDeletion: DeletionStrategy = {
  beginDeletion(object, now) {
    const finalizers = object.metadata.finalizers ?? [];
    if (!finalizers.includes(CRD_CLEANUP_FINALIZER)) object.metadata.finalizers = [...finalizers, CRD_CLEANUP_FINALIZER];
    const status = (isObject(object['status']) ? object['status'] : (object['status'] = {})) as Json;
    status['conditions'] = setCrdCondition(
      (status['conditions'] as CustomResourceDefinitionCondition[] | undefined) ?? [],
      {
        type: 'Terminating',
        status: 'True',
        reason: 'InstanceDeletionPending',
        message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
      },
      now,
    );
    return object;
  },
  readyToDelete: () => true,
};

/**
 * The `apiextensions.k8s.io/v1 customresourcedefinitions` built-in: cluster
 * scoped, short names `crd`/`crds`, a status subresource written by the
 * naming and establishing controller, validation as upstream (schemas must be
 * structural, CEL rules must compile within their cost budget), and deletion
 * through the cleanup finalizer.
 */
export function customResourceDefinitionResource(schemas: SchemaCache): ResourceDefinition {
  const strategy: Strategy = {
    statusSubresource: true,
    tracksGeneration: true,
    defaults: applyCrdDefaults,
    prepareForCreate(object) {
      object['status'] = {};
      recordStoredVersion(object);
    },
    prepareForUpdate(object) {
      recordStoredVersion(object);
    },
    validate: (object) => validateCustomResourceDefinition(object, schemas),
    validateUpdate: (object, old) => validateCustomResourceDefinitionUpdate(object, old, schemas),
    deletion: crdDeletion,
  };
  return defineBuiltin({
    group: CRD_GROUP,
    version: 'v1',
    resource: CRD_RESOURCE,
    kind: 'CustomResourceDefinition',
    singular: 'customresourcedefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: { status: STATUS_SUBRESOURCE },
    strategy,
    table: {
      columns: [
        columns.name,
        columns.createdAt,
      ],
    },
  });
}

