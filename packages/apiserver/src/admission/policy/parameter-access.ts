import { fieldForbidden, fieldPath, jsonEqual, newInvalid } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { SYSTEM_MASTERS, type UserInfo } from '../../auth/types';
import type { ResourceRegistry } from '../../registry/resource-registry';
import { obj, str } from '../../registry/json';
import type { Obj } from '../../registry/types';
import type { AdmissionAttributes, AdmissionPlugin } from '../types';
import type { CelAuthorize } from './admission-cel';
import { parseGroupVersion, servedKind } from './param-kind';

const GROUP = 'admissionregistration.k8s.io';
const POLICIES = 'validatingadmissionpolicies';
const BINDINGS = 'validatingadmissionpolicybindings';

/** Go's `%v` of a `*user.DefaultInfo`: `&{alice  [devs system:authenticated] map[]}` (extra keys sorted). */
export function goUserInfo(user: UserInfo): string {
  const extra = Object.keys(user.extra ?? {})
    .sort()
    .map((key) => `${key}:[${(user.extra?.[key] ?? []).join(' ')}]`)
    .join(' ');
  return `&{${user.username} ${user.uid ?? ''} [${user.groups.join(' ')}] map[${extra}]}`;
}

/**
 * What a paramKind names, as upstream's resource resolver finds it: the
 * group and version of a parsable apiVersion (`*` otherwise) and the
 * resource serving the kind in the logical cluster (`*` when none does).
 */
function paramResource(registry: ResourceRegistry, cluster: ClusterName, paramKind: unknown): { apiGroup: string; apiVersion: string; resource: string } {
  const apiVersion = str(obj(paramKind)['apiVersion']);
  const kind = str(obj(paramKind)['kind']);
  const gv = parseGroupVersion(apiVersion);
  if (!gv) return { apiGroup: '*', apiVersion: '*', resource: '*' };
  return { apiGroup: gv.group, apiVersion: gv.version, resource: servedKind(registry, cluster, gv.group, gv.version, kind)?.definition.resource ?? '*' };
}

const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/**
 * The authorization kube-apiserver's registry strategies add to writes of
 * ValidatingAdmissionPolicies and their bindings (`authz.go`), so that no one
 * can make a policy read params they could not read themselves: a policy
 * with a new or changed `paramKind` needs `get` on every object of that kind
 * (name and namespace `*`); a binding with a `paramRef`, new or with a
 * changed paramRef or policy, needs `get` on the object it references.
 * `system:masters` skips the checks. A refusal is the strategy's 422 with a
 * `FieldValueForbidden` cause at `spec.paramKind` / `spec.paramRef`; upstream
 * runs the check after the object validated, as this validating plugin does.
 */
export function policyParameterAccess(registry: ResourceRegistry, authorize: CelAuthorize): AdmissionPlugin {
  const refuse = (a: AdmissionAttributes, field: string, message: string) => {
    throw newInvalid({ group: GROUP, kind: a.definition.kind }, a.name, [fieldForbidden(fieldPath('spec', field), message)]);
  };
  const allowed = async (a: AdmissionAttributes, target: { apiGroup: string; apiVersion: string; resource: string; namespace: string; name: string }) => {
    const decision = await authorize({ isResourceRequest: true, user: a.user, cluster: a.cluster, verb: 'get', subresource: '', ...target });
    return decision.decision === 'allow';
  };

  return {
    name: 'ValidatingAdmissionPolicyParameterAccess',
    // answers at once for every other write: the chain does not wait for it
    validate(a: AdmissionAttributes): Promise<void> | undefined {
      const { group, resource } = a.definition;
      if (group !== GROUP || a.subresource !== '' || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return undefined;
      if (resource !== POLICIES && resource !== BINDINGS) return undefined;
      if (a.user.groups.includes(SYSTEM_MASTERS)) return undefined;
      return check(a);
    },
  };

  async function check(a: AdmissionAttributes): Promise<void> {
    const { resource } = a.definition;
    const spec = obj(a.object?.['spec']);
    const oldSpec = a.oldObject ? obj(a.oldObject['spec']) : undefined;
    if (resource === POLICIES) {
      const paramKind = spec['paramKind'];
      if (!isSet(paramKind) || (oldSpec && isSet(oldSpec['paramKind']) && jsonEqual(oldSpec['paramKind'], paramKind))) return;
      const target = paramResource(registry, a.cluster, paramKind);
      if (!(await allowed(a, { ...target, namespace: '*', name: '*' }))) {
        const kind = obj(paramKind);
        refuse(
          a,
          'paramKind',
          `user ${goUserInfo(a.user)} must have "get" permission on all objects of the referenced paramKind (kind=${str(kind['kind'])}, apiVersion=${str(kind['apiVersion'])})`,
        );
      }
      return;
    }
    const paramRef = spec['paramRef'];
    if (!isSet(paramRef)) return;
    if (oldSpec && isSet(oldSpec['paramRef']) && jsonEqual(oldSpec['paramRef'], paramRef) && oldSpec['policyName'] === spec['policyName']) return;
    // the policy's paramKind when it exists and has one; every resource otherwise
    const policies = registry.builtin(GROUP, 'v1', POLICIES);
    const policy: Obj | undefined = policies.cache.get(a.cluster, policies.store.key(a.cluster, '', str(spec['policyName'])))?.object;
    const paramKind = policy ? obj(policy['spec'])['paramKind'] : undefined;
    const target = isSet(paramKind) ? paramResource(registry, a.cluster, paramKind) : { apiGroup: '*', apiVersion: '*', resource: '*' };
    const ref = obj(paramRef);
    if (!(await allowed(a, { ...target, namespace: str(ref['namespace']), name: str(ref['name']) }))) {
      refuse(a, 'paramRef', `user ${goUserInfo(a.user)} does not have "get" permission on the object referenced by paramRef`);
    }
  }
}
