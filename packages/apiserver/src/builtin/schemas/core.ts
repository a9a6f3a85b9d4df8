/**
 * core/v1 schemas: Namespace, ConfigMap, Secret, ServiceAccount, Event,
 * ResourceQuota, LimitRange and the references they use.
 */
import {
  CORE,
  META,
  atomicList,
  atomicStrings,
  bool,
  int32,
  kind,
  mapList,
  mapOf,
  object,
  ref,
  refTo,
  str,
  stringMap,
} from './builders';
import type { OpenAPISchema } from './types';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** core/v1 schemas, keyed by upstream definition name. */
export const coreSchemas: Readonly<Record<string, OpenAPISchema>> = {
  [`${CORE}Namespace`]: kind('', 'v1', 'Namespace', 'A scope for names. Most namespaced objects belong to exactly one namespace.', {
    spec: ref(`${CORE}NamespaceSpec`, 'Desired state of the namespace.'),
    status: ref(`${CORE}NamespaceStatus`, 'Observed state of the namespace, maintained by the server.'),
  }),

  [`${CORE}NamespaceSpec`]: object('Desired attributes of a namespace.', {
    finalizers: atomicStrings(
      'Opaque values that must all be removed (through the finalize subresource) before the namespace is removed from storage.',
    ),
  }),

  [`${CORE}NamespaceStatus`]: object('Observed state of a namespace.', {
    conditions: mapList(
      refTo(`${CORE}NamespaceCondition`),
      ['type'],
      'Latest observations of the namespace, one entry per condition type.',
      { patchMergeKey: 'type' },
    ),
    phase: str('Lifecycle phase: Active, or Terminating once deletion has started.'),
  }),

  [`${CORE}NamespaceCondition`]: object(
    'One observed condition of a namespace.',
    {
      lastTransitionTime: ref(`${META}Time`, 'When the condition last changed from one status to another.'),
      message: str('Human-readable details about the last transition.'),
      reason: str('Machine-readable CamelCase reason for the last transition.'),
      status: str('True, False or Unknown.'),
      type: str('Condition type, for example NamespaceDeletionContentFailure.'),
    },
    { required: ['type', 'status'] },
  ),

  [`${CORE}ConfigMap`]: kind('', 'v1', 'ConfigMap', 'Non-confidential configuration data as key/value pairs.', {
    binaryData: mapOf(
      { type: 'string', format: 'byte' },
      'Binary values, base64-encoded. Keys consist of alphanumerics, "-", "_" or "." and must not also appear in data.',
    ),
    data: stringMap(
      'UTF-8 string values. Keys consist of alphanumerics, "-", "_" or "." and must not also appear in binaryData.',
    ),
    immutable: bool('When true, data and binaryData can no longer be changed. Once set it cannot be unset.'),
  }),

  [`${CORE}Secret`]: kind('', 'v1', 'Secret', 'Confidential data such as passwords, tokens or keys, as key/value pairs.', {
    data: mapOf(
      { type: 'string', format: 'byte' },
      'Secret values, base64-encoded. Keys consist of alphanumerics, "-", "_" or ".".',
    ),
    immutable: bool('When true, data can no longer be changed. Once set it cannot be unset.'),
    stringData: stringMap(
      'Write-only convenience: plain-text values merged into data on write, overriding data for the same key. Never returned on read.',
    ),
    type: str('Type of the secret, which selects how its keys are validated, for example kubernetes.io/tls. Defaults to Opaque.'),
  }),

  [`${CORE}ServiceAccount`]: kind(
    '',
    'v1',
    'ServiceAccount',
    'An identity for processes running in pods, together with the secrets they may use.',
    {
      automountServiceAccountToken: bool(
        'Whether pods running as this account get an API token mounted automatically. A pod can override it.',
      ),
      imagePullSecrets: atomicList(
        refTo(`${CORE}LocalObjectReference`),
        'Secrets in the same namespace used to pull container images for pods running as this account.',
      ),
      secrets: mapList(
        refTo(`${CORE}ObjectReference`),
        ['name'],
        'Secrets in the same namespace that pods running as this account may use. Only enforced when the account has the annotation kubernetes.io/enforce-mountable-secrets="true".',
        { patchMergeKey: 'name' },
      ),
    },
  ),

  [`${CORE}ObjectReference`]: object(
    'Reference to an object, or to a part of one, precise enough to find it.',
    {
      apiVersion: str('API version of the referenced object.'),
      fieldPath: str(
        'Path to a part of the object instead of the whole, for example "spec.containers{app}" for one container of a pod.',
      ),
      kind: str('Kind of the referenced object.'),
      name: str('Name of the referenced object.'),
      namespace: str('Namespace of the referenced object.'),
      resourceVersion: str('Specific resourceVersion the reference points at, if any.'),
      uid: str('UID of the referenced object.'),
    },
    { mapType: 'atomic' },
  ),

  [`${CORE}LocalObjectReference`]: object(
    'Reference by name to an object in the same namespace.',
    { name: str('Name of the referenced object. Empty means no reference.') },
    { mapType: 'atomic' },
  ),

  [`${CORE}Event`]: kind(
    '',
    'v1',
    'Event',
    'A report of something that happened to an object, such as a state change or an error. Events are informative and kept only for a limited time.',
    {
      action: str('What was done or attempted with the object; machine-readable.'),
      count: int32('How many times the event has occurred.'),
      eventTime: ref(`${META}MicroTime`, 'When the event was first observed, with microsecond precision.'),
      firstTimestamp: ref(`${META}Time`, 'When the event was first recorded.'),
      involvedObject: ref(`${CORE}ObjectReference`, 'The object the event is about.'),
      lastTimestamp: ref(`${META}Time`, 'When the most recent occurrence was recorded.'),
      message: str('Human-readable description of what happened.'),
      reason: str('Short machine-readable CamelCase reason, for example FailedMount.'),
      related: ref(`${CORE}ObjectReference`, 'Optional second object involved in the event.'),
      reportingComponent: str('Name of the controller that emitted the event, for example kubernetes.io/kubelet.'),
      reportingInstance: str('Identifier of the controller instance that emitted the event.'),
      series: ref(`${CORE}EventSeries`, 'Data about a series of repeated occurrences; absent for a one-off event.'),
      source: ref(`${CORE}EventSource`, 'Component and host that reported the event.'),
      type: str('Normal or Warning; new types may be added.'),
    },
    { required: ['metadata', 'involvedObject'] },
  ),

  [`${CORE}EventSource`]: object('Where an event was reported from.', {
    component: str('Component that generated the event.'),
    host: str('Node on which the event was generated.'),
  }),

  [`${CORE}EventSeries`]: object('Data about a series of repeated events.', {
    count: int32('Number of occurrences in the series so far.'),
    lastObservedTime: ref(`${META}MicroTime`, 'When the last occurrence of the series was observed.'),
  }),

  [`${CORE}ResourceQuota`]: kind(
    '',
    'v1',
    'ResourceQuota',
    'Caps on the total amount of resources, and the number of objects, the objects of one namespace may use.',
    {
      spec: ref(`${CORE}ResourceQuotaSpec`, 'The limits to enforce and the objects they apply to.'),
      status: ref(`${CORE}ResourceQuotaStatus`, 'The enforced limits and current usage, maintained by the quota controller.'),
    },
  ),

  [`${CORE}ResourceQuotaSpec`]: object('The limits a resource quota enforces and the objects it counts.', {
    hard: mapOf(refTo(QUANTITY), 'Upper bound per resource name, for example pods, requests.cpu or count/configmaps.'),
    scopeSelector: ref(
      `${CORE}ScopeSelector`,
      'Filters, written as scope/operator/values expressions, that an object must match to be counted. Combined with scopes: both must match.',
    ),
    scopes: atomicStrings(
      'Filters that every counted object must match, for example BestEffort or NotTerminating. Empty counts every object.',
    ),
  }),

  [`${CORE}ScopeSelector`]: object(
    'The conjunction of its scope requirements.',
    {
      matchExpressions: atomicList(
        refTo(`${CORE}ScopedResourceSelectorRequirement`),
        'Scope requirements, all of which must hold.',
      ),
    },
    { mapType: 'atomic' },
  ),

  [`${CORE}ScopedResourceSelectorRequirement`]: object(
    'A requirement on one quota scope: the scope name, an operator and possibly values.',
    {
      operator: str('How the scope relates to the values: In, NotIn, Exists or DoesNotExist.'),
      scopeName: str('The scope the requirement is about, for example PriorityClass.'),
      values: atomicStrings('Values for In and NotIn (at least one); must be empty for Exists and DoesNotExist.'),
    },
    { required: ['scopeName', 'operator'] },
  ),

  [`${CORE}ResourceQuotaStatus`]: object('The enforced limits of a resource quota and the usage observed against them.', {
    hard: mapOf(refTo(QUANTITY), 'The limits currently enforced, per resource name.'),
    used: mapOf(refTo(QUANTITY), 'Current total usage in the namespace, per resource name.'),
  }),

  [`${CORE}LimitRange`]: kind(
    '',
    'v1',
    'LimitRange',
    'Per-object bounds and defaults for the resources that pods, containers or persistent volume claims of one namespace request.',
    {
      spec: ref(`${CORE}LimitRangeSpec`, 'The bounds and defaults to enforce.'),
    },
  ),

  [`${CORE}LimitRangeSpec`]: object(
    'The bounds and defaults a limit range enforces.',
    {
      limits: atomicList(refTo(`${CORE}LimitRangeItem`), 'One entry per kind of object the bounds apply to.'),
    },
    { required: ['limits'] },
  ),

  [`${CORE}LimitRangeItem`]: object(
    'Bounds and defaults for one kind of object, per resource name.',
    {
      default: mapOf(refTo(QUANTITY), 'Limit set on a container that does not state one.'),
      defaultRequest: mapOf(refTo(QUANTITY), 'Request set on a container that does not state one.'),
      max: mapOf(refTo(QUANTITY), 'Highest amount an object of this type may use.'),
      maxLimitRequestRatio: mapOf(
        refTo(QUANTITY),
        'Highest allowed ratio of limit to request; the limit must be non-zero and at most request times this ratio.',
      ),
      min: mapOf(refTo(QUANTITY), 'Lowest amount an object of this type may use.'),
      type: str('The kind of object the entry applies to: Pod, Container or PersistentVolumeClaim.'),
    },
    { required: ['type'] },
  ),
};
