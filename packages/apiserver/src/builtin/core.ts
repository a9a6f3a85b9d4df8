import {
  type FieldError,
  fieldForbidden,
  fieldInvalid,
  fieldPath,
  fieldRequired,
  fieldTooLong,
} from '@kcp-ts/apimachinery';
import type { Obj, ResourceDefinition, Strategy, TableColumn } from '../registry/types';
import { columns } from '../rest/table';
import { age } from '../table/duration';
import { ALL_VERBS, STATUS_SUBRESOURCE, builtinPrefix, defineBuiltin } from './define';
import { type Json, obj, str } from '../registry/json';

const MAX_DATA_SIZE = 1024 * 1024;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** Upstream `IsConfigMapKey`: messages as kube-apiserver words them. */
function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (key.length > 253) errs.push('must be no more than 253 characters');
  if (!CONFIG_KEY.test(key)) {
    errs.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  }
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** Bytes a base64 value decodes to. */
function decodedLength(value: string): number {
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  return Math.floor((value.length * 3) / 4) - padding;
}

/**
 * The keys of a ConfigMap's or Secret's maps, and the 1 MiB limit on the
 * bytes of their values (keys do not count, as upstream). Upstream reports a
 * ConfigMap over the limit on the whole object (`[]`) and a Secret on `data`.
 */
function validateDataKeys(object: Obj, kind: 'ConfigMap' | 'Secret'): FieldError[] {
  const errors: FieldError[] = [];
  const data = obj(object['data']);
  const binaryField = kind === 'ConfigMap' ? 'binaryData' : undefined;
  let size = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const msg of configKeyErrors(key)) errors.push(fieldInvalid(fieldPath('data').key(key), key, msg));
    // a Secret's data is base64 (counted decoded), a ConfigMap's is text (counted in UTF-8)
    size += kind === 'Secret' ? decodedLength(str(value)) : Buffer.byteLength(str(value), 'utf8');
  }
  if (binaryField) {
    for (const [key, value] of Object.entries(obj(object[binaryField]))) {
      for (const msg of configKeyErrors(key)) errors.push(fieldInvalid(fieldPath(binaryField).key(key), key, msg));
      if (key in data) errors.push(fieldInvalid(fieldPath(binaryField).key(key), key, 'duplicate of key present in data'));
      size += decodedLength(str(value));
    }
  }
  if (size > MAX_DATA_SIZE) errors.push(fieldTooLong(fieldPath(kind === 'Secret' ? 'data' : ''), MAX_DATA_SIZE));
  return errors;
}

function validateImmutableData(object: Obj, old: Obj, fields: string[]): FieldError[] {
  if (old['immutable'] !== true) return [];
  const errors: FieldError[] = [];
  if (object['immutable'] !== true) errors.push(fieldForbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (JSON.stringify(object[f] ?? {}) !== JSON.stringify(old[f] ?? {})) errors.push(fieldForbidden(f, 'field is immutable when `immutable` is set'));
  }
  return errors;
}

const plain: Strategy = { statusSubresource: false, tracksGeneration: false };

// --- namespaces -------------------------------------------------------------

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
export const NAMESPACE_FINALIZER = 'kubernetes';

const namespaceStrategy: Strategy = {
  statusSubresource: true,
  tracksGeneration: false,
  prepareForCreate(object) {
    const spec = obj(object['spec']);
    if (!Array.isArray(spec['finalizers']) || !(spec['finalizers'] as unknown[]).includes(NAMESPACE_FINALIZER)) {
      spec['finalizers'] = [...((spec['finalizers'] as string[] | undefined) ?? []), NAMESPACE_FINALIZER];
    }
    object['spec'] = spec;
    object['status'] = { phase: 'Active' };
  },
  prepareForUpdate(object, old) {
    // spec.finalizers only change through /finalize
    object['spec'] = structuredClone(old['spec'] ?? {});
  },
  defaults(object) {
    object.metadata.labels = { ...object.metadata.labels, [NAMESPACE_NAME_LABEL]: object.metadata.name ?? '' };
  },
  validate(object) {
    return validateNamespaceFinalizers(object);
  },
  validateUpdate(object) {
    return validateNamespaceFinalizers(object);
  },
  deletion: {
    beginDeletion(object, now) {
      const finalizers = (obj(object['spec'])['finalizers'] as string[] | undefined) ?? [];
      if (finalizers.length === 0 && (object.metadata.finalizers ?? []).length === 0) return undefined;
      object['status'] = { ...obj(object['status']), phase: 'Terminating' };
      object.metadata.deletionTimestamp = now;
      return object;
    },
    readyToDelete: (object) => ((obj(object['spec'])['finalizers'] as string[] | undefined) ?? []).length === 0,
  },
};

function validateNamespaceFinalizers(object: Obj): FieldError[] {
  const errors: FieldError[] = [];
  for (const [i, f] of (((obj(object['spec'])['finalizers'] as unknown[]) ?? []) as unknown[]).entries()) {
    if (typeof f !== 'string' || f === '') errors.push(fieldInvalid(fieldPath('spec', 'finalizers').index(i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return errors;
}

const namespaces = defineBuiltin({
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: {
    status: STATUS_SUBRESOURCE,
    finalize: {
      verbs: ['update'],
      merge: (current, body) => ({ ...structuredClone(current), spec: { ...obj(current['spec']), finalizers: (obj(body['spec'])['finalizers'] as string[] | undefined) ?? [] } }),
    },
  },
  strategy: namespaceStrategy,
  nameValidation: 'dns1123-label',
  returnDeletedObject: true,
  table: {
    columns: [
      columns.name,
      { name: 'Status', type: 'string', description: 'The status of the namespace', cell: (o) => str(obj(o['status'])['phase']) },
      columns.age,
    ],
  },
  fieldLabels: (o) => ({ 'status.phase': str(obj(o['status'])['phase']) }),
});

// --- configmaps -------------------------------------------------------------

const configmaps = defineBuiltin({
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  strategy: {
    ...plain,
    validate: (o) => validateDataKeys(o, 'ConfigMap'),
    validateUpdate: (o, old) => [...validateDataKeys(o, 'ConfigMap'), ...validateImmutableData(o, old, ['data', 'binaryData'])],
  },
  table: {
    columns: [
      columns.name,
      { name: 'Data', type: 'integer', description: 'Data contains the configuration data.', cell: (o) => Object.keys(obj(o['data'])).length + Object.keys(obj(o['binaryData'])).length },
      columns.age,
    ],
  },
});

// --- secrets ----------------------------------------------------------------

/**
 * `stringData` is write-only: merged into `data` (base64) and dropped, as the
 * Secret strategy does. (`data` values were decoded as Go's `[]byte` with the
 * request body: base64 strings.)
 */
function normalizeSecret(object: Obj): void {
  const data = { ...obj(object['data']) };
  for (const [key, value] of Object.entries(obj(object['stringData']))) data[key] = Buffer.from(str(value), 'utf8').toString('base64');
  delete object['stringData'];
  if (Object.keys(data).length > 0) object['data'] = data;
  else delete object['data'];
  if (!object['type']) object['type'] = 'Opaque';
}

/** The type of a Secret holding a legacy (non-expiring) service account token. */
export const SERVICE_ACCOUNT_TOKEN_SECRET = 'kubernetes.io/service-account-token';
/** The annotations naming the service account of such a Secret. */
export const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SERVICE_ACCOUNT_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

const SECRET_REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

function validateSecret(object: Obj): FieldError[] {
  const errors = validateDataKeys(object, 'Secret');
  const type = str(object['type']);
  for (const key of SECRET_REQUIRED_KEYS[type] ?? []) {
    if (!(key in obj(object['data']))) errors.push(fieldRequired(fieldPath('data').key(key)));
  }
  if (type === 'kubernetes.io/basic-auth') {
    const data = obj(object['data']);
    if (!('username' in data) && !('password' in data)) errors.push(fieldRequired(fieldPath('data').key('username')));
  }
  // the token controller fills in the token; only the service account must be named
  if (type === SERVICE_ACCOUNT_TOKEN_SECRET && !object.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION]) {
    errors.push(fieldRequired(fieldPath('metadata', 'annotations').key(SERVICE_ACCOUNT_NAME_ANNOTATION)));
  }
  return errors;
}

const secrets = defineBuiltin({
  group: '',
  version: 'v1',
  resource: 'secrets',
  kind: 'Secret',
  singular: 'secret',
  namespaced: true,
  strategy: {
    ...plain,
    prepareForCreate: normalizeSecret,
    prepareForUpdate: normalizeSecret,
    validate: validateSecret,
    validateUpdate: (o, old) => {
      const errors = [...validateSecret(o), ...validateImmutableData(o, old, ['data'])];
      if (str(o['type']) !== str(old['type'])) errors.push(fieldInvalid('type', o['type'], 'field is immutable'));
      return errors;
    },
  },
  table: {
    columns: [
      columns.name,
      { name: 'Type', type: 'string', description: 'The type of the secret', cell: (o) => str(o['type']) },
      { name: 'Data', type: 'integer', description: 'The number of entries in the secret', cell: (o) => Object.keys(obj(o['data'])).length },
      columns.age,
    ],
  },
  fieldLabels: (o) => ({ type: str(o['type']) }),
});

// --- serviceaccounts --------------------------------------------------------

const serviceaccounts = defineBuiltin({
  group: '',
  version: 'v1',
  resource: 'serviceaccounts',
  kind: 'ServiceAccount',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  strategy: plain,
  table: {
    columns: [
      columns.name,
      { name: 'Secrets', type: 'string', description: 'The number of secrets of the service account', cell: (o) => (Array.isArray(o['secrets']) ? (o['secrets'] as unknown[]).length : 0) },
      columns.age,
    ],
  },
});

// --- events (core/v1 and events.k8s.io/v1 share one storage) ----------------

const EVENTS_PREFIX = builtinPrefix('', 'events');

function eventObjectCell(ref: Json): string {
  const kind = str(ref['kind']).toLowerCase();
  return str(ref['name']) ? `${kind}/${str(ref['name'])}` : kind;
}

/** Time since a stored timestamp, `<unknown>` for none (upstream's translateTimestampSince). */
const since = (timestamp: unknown, now: number): string => (timestamp ? age(timestamp, now) : '<unknown>');

/** First Seen: `firstTimestamp`, else the `eventTime` of the newer API. */
const firstSeen = (o: Obj, now: number): string => (str(o['firstTimestamp']) ? since(o['firstTimestamp'], now) : since(o['eventTime'], now));

/** Last Seen: the series' last observation, else `lastTimestamp`, else First Seen. */
function lastSeen(o: Obj, now: number): string {
  const series = o['series'];
  if (series !== undefined && series !== null) return since(obj(series)['lastObservedTime'], now);
  return str(o['lastTimestamp']) ? since(o['lastTimestamp'], now) : firstSeen(o, now);
}

/** Count: the series' count, else `count`, else 1 (events of the newer API are singletons). */
function eventCount(o: Obj): number {
  const series = o['series'];
  if (series !== undefined && series !== null) return typeof obj(series)['count'] === 'number' ? (obj(series)['count'] as number) : 0;
  return typeof o['count'] === 'number' && o['count'] !== 0 ? o['count'] : 1;
}

/** Source: component (or reporting controller), then host (or reporting instance) after a comma. */
function eventSource(o: Obj): string {
  const source = obj(o['source']);
  const component = str(source['component']) || str(o['reportingComponent']);
  const instance = str(source['host']) || str(o['reportingInstance']);
  return instance === '' ? component : `${component}, ${instance}`;
}

/**
 * The event columns of upstream's printer, computed on the core/v1 form;
 * the wide ones (priority 1) are what `kubectl get events -o wide` adds.
 */
const eventColumns: TableColumn[] = [
  { name: 'Last Seen', type: 'string', description: 'The time at which the most recent occurrence of this event was recorded.', cell: lastSeen },
  { name: 'Type', type: 'string', description: 'Type of this event (Normal, Warning), new types could be added in the future', cell: (o) => str(o['type']) },
  { name: 'Reason', type: 'string', description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", cell: (o) => str(o['reason']) },
  { name: 'Object', type: 'string', description: 'The object that this event is about.', cell: (o) => eventObjectCell(obj(o['involvedObject'])) },
  { name: 'Subobject', type: 'string', priority: 1, description: 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', cell: (o) => str(obj(o['involvedObject'])['fieldPath']) },
  { name: 'Source', type: 'string', priority: 1, description: 'The component reporting this event. Should be a short machine understandable string.', cell: eventSource },
  { name: 'Message', type: 'string', description: 'A human-readable description of the status of this operation.', cell: (o) => str(o['message']).trim() },
  { name: 'First Seen', type: 'string', priority: 1, description: 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', cell: firstSeen },
  { name: 'Count', type: 'string', priority: 1, description: 'The number of times this event has occurred.', cell: eventCount },
  { ...columns.name, priority: 1 },
];

function validateEvent(object: Obj): FieldError[] {
  const errors: FieldError[] = [];
  const involved = obj(object['involvedObject']);
  const ns = str(involved['namespace']);
  if (ns !== '' && ns !== object.metadata.namespace) {
    errors.push(fieldInvalid(fieldPath('involvedObject', 'namespace'), ns, 'does not match event.namespace'));
  }
  return errors;
}

const events = defineBuiltin({
  group: '',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  strategy: { ...plain, validate: validateEvent, validateUpdate: validateEvent },
  table: { columns: eventColumns },
  fieldLabels: (o) => {
    const involved = obj(o['involvedObject']);
    const source = obj(o['source']);
    return {
      'involvedObject.kind': str(involved['kind']),
      'involvedObject.namespace': str(involved['namespace']),
      'involvedObject.name': str(involved['name']),
      'involvedObject.uid': str(involved['uid']),
      'involvedObject.apiVersion': str(involved['apiVersion']),
      'involvedObject.resourceVersion': str(involved['resourceVersion']),
      'involvedObject.fieldPath': str(involved['fieldPath']),
      reason: str(o['reason']),
      reportingComponent: str(o['reportingComponent']),
      source: str(source['component']),
      type: str(o['type']),
    };
  },
});

const CORE_TO_EVENTS: Array<[core: string, events: string]> = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['reportingComponent', 'reportingController'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
];

/** core/v1 Event → events.k8s.io/v1 Event. */
export function coreEventToEventsV1(core: Obj): Obj {
  const out: Json = { ...core, apiVersion: 'events.k8s.io/v1' };
  for (const [from, to] of CORE_TO_EVENTS) {
    delete out[from];
    if (core[from] !== undefined && core[from] !== null && core[from] !== '') out[to] = core[from];
  }
  return out as Obj;
}

/** events.k8s.io/v1 Event → core/v1 Event (the stored form). */
export function eventsV1ToCoreEvent(event: Obj): Obj {
  const out: Json = { ...event, apiVersion: 'v1' };
  for (const [to, from] of CORE_TO_EVENTS) {
    delete out[from];
    if (event[from] !== undefined && event[from] !== null && event[from] !== '') out[to] = event[from];
  }
  return out as Obj;
}

const eventsV1 = defineBuiltin({
  group: 'events.k8s.io',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  strategy: plain,
  storage: { prefix: EVENTS_PREFIX, storageApiVersion: 'v1', toStorage: eventsV1ToCoreEvent, fromStorage: coreEventToEventsV1 },
  // the same columns as core/v1, read from the core form, as upstream prints both from one internal type
  table: { columns: eventColumns, rowView: eventsV1ToCoreEvent },
  fieldLabels: (o) => {
    const regarding = obj(o['regarding']);
    return {
      'regarding.kind': str(regarding['kind']),
      'regarding.namespace': str(regarding['namespace']),
      'regarding.name': str(regarding['name']),
      'regarding.uid': str(regarding['uid']),
      reason: str(o['reason']),
      reportingController: str(o['reportingController']),
      type: str(o['type']),
    };
  },
});

/** The core/v1 and events.k8s.io resources served in every logical cluster. */
export const coreResources: readonly ResourceDefinition[] = [namespaces, configmaps, secrets, serviceaccounts, events, eventsV1];
export { ALL_VERBS };
