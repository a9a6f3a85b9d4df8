/**
 * apimachinery schemas: meta/v1 object and list metadata, Status, DeleteOptions,
 * Condition, and the intstr / resource scalar types.
 */
import {
  META,
  TYPE_META_PROPERTIES,
  atomicList,
  atomicStrings,
  bool,
  gvk,
  int32,
  int64,
  mapList,
  object,
  ref,
  refTo,
  str,
  stringMap,
  STRING_ITEM,
  arrayOf,
} from './builders';
import type { OpenAPISchema } from './types';

/** Group versions served by the built-in schemas; DeleteOptions is accepted as a kind in each. */
export const BUILTIN_GROUP_VERSIONS: readonly { readonly group: string; readonly version: string }[] = [
  { group: '', version: 'v1' },
  { group: 'admissionregistration.k8s.io', version: 'v1' },
  { group: 'apiextensions.k8s.io', version: 'v1' },
  { group: 'authentication.k8s.io', version: 'v1' },
  { group: 'authorization.k8s.io', version: 'v1' },
  { group: 'certificates.k8s.io', version: 'v1' },
  { group: 'coordination.k8s.io', version: 'v1' },
  { group: 'events.k8s.io', version: 'v1' },
  { group: 'rbac.authorization.k8s.io', version: 'v1' },
];

const time = (description: string): OpenAPISchema => ref(`${META}Time`, description);

/** meta/v1 and other apimachinery schemas, keyed by upstream definition name. */
export const metaSchemas: Readonly<Record<string, OpenAPISchema>> = {
  [`${META}ObjectMeta`]: object('Metadata every persisted object carries, including the fields the server manages.', {
    annotations: stringMap(
      'Arbitrary non-identifying key/value strings set by users and tools. Not usable in selectors; at most 256KiB in total.',
    ),
    creationTimestamp: time('When the server created the object, in RFC 3339 form and UTC. Set by the server; read-only.'),
    deletionGracePeriodSeconds: int64(
      'Seconds the object is given to terminate gracefully after deletion was requested. Only set together with deletionTimestamp; read-only.',
    ),
    deletionTimestamp: time(
      'When a graceful deletion was requested. The object is removed once its finalizers list is empty. Set by the server; read-only.',
    ),
    finalizers: arrayOf(
      STRING_ITEM,
      'Keys that must all be removed before a deleted object is purged from storage; each names the component responsible for some cleanup. Order carries no meaning, and none may be added once deletion started.',
      { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
    ),
    generateName: str(
      'Prefix from which the server generates a unique name (prefix plus a random suffix) when name is empty.',
    ),
    generation: int64('Sequence number of the desired state, incremented by the server when the spec changes. Read-only.'),
    labels: stringMap('Identifying key/value strings used to organise and select objects.'),
    managedFields: atomicList(
      refTo(`${META}ManagedFieldsEntry`),
      'Which field manager owns which fields, as tracked for server-side apply. Internal bookkeeping that users rarely need to edit.',
    ),
    name: str(
      'Name of the object, unique per kind within its namespace (or the cluster for cluster-scoped kinds). Required on create unless generateName is set; cannot be changed.',
    ),
    namespace: str(
      'Namespace the object lives in, a DNS label; empty for cluster-scoped kinds. Cannot be changed.',
    ),
    ownerReferences: mapList(
      refTo(`${META}OwnerReference`),
      ['uid'],
      'Objects this object depends on. Once all of them are gone it is garbage collected. At most one owner may be marked as the managing controller.',
      { patchMergeKey: 'uid' },
    ),
    resourceVersion: str(
      'Opaque version of the object that changes on every write. Used for optimistic concurrency and to resume watches; clients must not interpret it.',
    ),
    selfLink: str('Deprecated and no longer populated.'),
    uid: str('Unique identifier the server assigns at creation. Never reused and never changed.'),
  }),

  [`${META}ListMeta`]: object('Metadata of list responses.', {
    continue: str('Opaque token that fetches the next chunk of a paginated list; empty on the last chunk.'),
    remainingItemCount: int64(
      'Estimated number of items after this chunk. Omitted when unknown, for example when selectors are used.',
    ),
    resourceVersion: str('Storage revision the list was read at; a watch can start from it.'),
    selfLink: str('Deprecated and no longer populated.'),
  }),

  [`${META}ManagedFieldsEntry`]: object(
    'Field ownership of one manager for one operation type, API version and subresource.',
    {
      apiVersion: str('Group/version the manager used; the field set is expressed in that version.'),
      fieldsType: str('Format of the field set. The only value is "FieldsV1".'),
      fieldsV1: ref(`${META}FieldsV1`, 'The set of owned fields, in FieldsV1 form.'),
      manager: str('Name of the field manager, usually the client or controller that wrote the fields.'),
      operation: str('Kind of write that produced the entry: "Apply" or "Update".'),
      subresource: str('Subresource the write went through, such as "status"; empty for the main resource.'),
      time: time('When the manager last set, changed or removed one of its fields.'),
    },
  ),

  [`${META}OwnerReference`]: object(
    'Identifies an owning object. The owner is in the same namespace as the dependent or cluster-scoped.',
    {
      apiVersion: str('API version of the owner.'),
      blockOwnerDeletion: bool(
        'When true and the owner is deleted in the foreground, the owner is only removed after this dependent. Setting it needs delete permission on the owner.',
      ),
      controller: bool('True when this owner is the managing controller of the object.'),
      kind: str('Kind of the owner.'),
      name: str('Name of the owner.'),
      uid: str('UID of the owner.'),
    },
    { required: ['apiVersion', 'kind', 'name', 'uid'], mapType: 'atomic' },
  ),

  [`${META}FieldsV1`]: {
    type: 'object',
    description:
      'A set of fields as a trie in JSON, as defined by structured-merge-diff. Keys are "." (the node itself) or "f:<field>", "k:<key fields>", "v:<value>", "i:<index>".',
    'x-kubernetes-preserve-unknown-fields': true,
  },

  [`${META}Time`]: {
    type: 'string',
    format: 'date-time',
    description: 'A timestamp in RFC 3339 form with second precision, in UTC.',
  },

  [`${META}MicroTime`]: {
    type: 'string',
    format: 'date-time',
    description: 'A timestamp in RFC 3339 form with microsecond precision, in UTC.',
  },

  [`${META}LabelSelector`]: object(
    'A label query. matchLabels and matchExpressions are ANDed; an empty selector matches every object, an absent one none.',
    {
      matchExpressions: atomicList(refTo(`${META}LabelSelectorRequirement`), 'Requirements that must all hold.'),
      matchLabels: stringMap(
        'Key/value pairs that must all be present. Each pair is shorthand for an "In" requirement with a single value.',
      ),
    },
    { mapType: 'atomic' },
  ),

  [`${META}LabelSelectorRequirement`]: object(
    'One requirement of a label selector: a key, an operator and values.',
    {
      key: str('Label key the requirement applies to.'),
      operator: str('How the key relates to the values: In, NotIn, Exists or DoesNotExist.'),
      values: atomicStrings(
        'Values to compare with. Must be non-empty for In and NotIn and empty for Exists and DoesNotExist.',
      ),
    },
    { required: ['key', 'operator'] },
  ),

  [`${META}Status`]: {
    ...object('Result of a request that returns no object, most often an error.', {
      ...TYPE_META_PROPERTIES,
      code: int32('Suggested HTTP status code; 0 when not set.'),
      details: ref(
        `${META}StatusDetails`,
        'Reason-specific extra data, such as the affected object and the individual causes.',
        { 'x-kubernetes-list-type': 'atomic' },
      ),
      message: str('Human-readable explanation of the result.'),
      metadata: ref(`${META}ListMeta`, 'List metadata; normally empty.'),
      reason: str(
        'Machine-readable CamelCase reason for a failure, such as NotFound or AlreadyExists. Empty when no reason is known.',
      ),
      status: str('Outcome of the operation: "Success" or "Failure".'),
    }),
    'x-kubernetes-group-version-kind': [gvk('', 'v1', 'Status')],
  },

  [`${META}StatusDetails`]: object(
    'Extra information about a Status. Which fields are set depends on the reason; clients must tolerate any of them being empty.',
    {
      causes: atomicList(refTo(`${META}StatusCause`), 'The individual problems behind the failure, for example one per invalid field.'),
      group: str('API group of the object the status is about.'),
      kind: str('Kind (or resource) of the object the status is about.'),
      name: str('Name of the object the status is about, when there is a single one.'),
      retryAfterSeconds: int32('Seconds the client should wait before retrying or taking another action.'),
      uid: str('UID of the object the status is about, when there is a single one.'),
    },
  ),

  [`${META}StatusCause`]: object('One specific problem behind a failed request.', {
    field: str(
      'Path of the offending field in the JSON form of the object, for example "spec.replicas" or "items[0].name". Optional.',
    ),
    message: str('Human-readable description of the problem.'),
    reason: str('Machine-readable cause, for example FieldValueInvalid. Empty when unknown.'),
  }),

  [`${META}DeleteOptions`]: {
    ...object('Options of a delete request.', {
      ...TYPE_META_PROPERTIES,
      dryRun: atomicStrings('When ["All"], the request is fully processed but nothing is persisted.'),
      gracePeriodSeconds: int64(
        'Seconds to wait before the object is removed. 0 means immediately; unset uses the default of the kind.',
      ),
      ignoreStoreReadErrorWithClusterBreakingPotential: bool(
        'Removes an object even though it cannot be read from storage (for example because it is corrupt). Dangerous; off by default.',
      ),
      orphanDependents: bool(
        'Deprecated, use propagationPolicy. True orphans the dependents, false deletes them. Cannot be combined with propagationPolicy.',
      ),
      preconditions: ref(`${META}Preconditions`, 'Conditions that must hold, otherwise the delete fails with 409 Conflict.'),
      propagationPolicy: str(
        'How dependents are handled: Orphan (kept), Background (deleted after the owner) or Foreground (deleted before the owner).',
      ),
    }),
    'x-kubernetes-group-version-kind': BUILTIN_GROUP_VERSIONS.map((gv) => gvk(gv.group, gv.version, 'DeleteOptions')),
  },

  [`${META}Preconditions`]: object('Conditions that must hold before an operation is carried out.', {
    resourceVersion: str('The operation only proceeds if the object has this resourceVersion.'),
    uid: str('The operation only proceeds if the object has this UID.'),
  }),

  [`${META}Condition`]: object(
    'A standard entry of a status.conditions list.',
    {
      lastTransitionTime: time('When the condition last changed from one status to another.'),
      message: str('Human-readable details about the last transition; may be empty.'),
      observedGeneration: int64('metadata.generation of the object the condition was computed from.'),
      reason: str('Machine-readable CamelCase reason for the last transition.'),
      status: str('True, False or Unknown.'),
      type: str('Condition type in CamelCase, for example Ready.'),
    },
    { required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'] },
  ),

  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    description: 'A value that is either a 32-bit integer or a string.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
  },

  'io.k8s.apimachinery.pkg.api.resource.Quantity': {
    description:
      'An amount such as "500m", "2", "1.5Gi" or "1e3": a decimal number with an optional SI or binary suffix. Serialized as a string; numbers are accepted on input.',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
};
