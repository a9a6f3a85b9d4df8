import type { Obj } from '../registry/types';

/**
 * Top-level members kube-apiserver's Go encoding writes even when nothing set
 * them, by `<apiVersion>/<kind>`: struct values (`omitempty` does not leave a
 * struct out: `"spec":{}`), zero times (`null`) and fields without
 * `omitempty` (`"rules":null`, `"reportingComponent":""`). Clients read them
 * as upstream writes them: python's `lease.spec.holder_identity` and
 * `event.source.component` need the empty structs. Kinds whose every unset
 * member is left out (configmaps, secrets, …) are not listed.
 */
const ZERO_FIELDS = new Map<string, Readonly<Record<string, '{}' | null | ''>>>([
  ['v1/Namespace', { spec: '{}', status: '{}' }],
  ['v1/ResourceQuota', { spec: '{}', status: '{}' }],
  ['v1/Event', { source: '{}', firstTimestamp: null, lastTimestamp: null, eventTime: null, reportingComponent: '', reportingInstance: '' }],
  ['events.k8s.io/v1/Event', { regarding: '{}', deprecatedSource: '{}', deprecatedFirstTimestamp: null, deprecatedLastTimestamp: null, eventTime: null }],
  ['coordination.k8s.io/v1/Lease', { spec: '{}' }],
  ['rbac.authorization.k8s.io/v1/Role', { rules: null }],
  ['rbac.authorization.k8s.io/v1/ClusterRole', { rules: null }],
  ['certificates.k8s.io/v1/CertificateSigningRequest', { status: '{}' }],
]);

/**
 * The object with the members its Go type always writes (see ZERO_FIELDS)
 * added where it has none (absent or `undefined`); the object itself when
 * nothing is missing.
 */
export function withGoZeroFields(object: Obj): Obj {
  const zero = ZERO_FIELDS.get(`${String(object.apiVersion)}/${String(object.kind)}`);
  if (zero === undefined) return object;
  let out: Obj | undefined;
  for (const field in zero) {
    if (object[field] !== undefined) continue;
    out ??= { ...object };
    const value = zero[field]!;
    out[field] = value === '{}' ? {} : value;
  }
  return out ?? object;
}
