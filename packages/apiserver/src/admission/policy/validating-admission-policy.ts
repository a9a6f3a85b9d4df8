import { fieldPath, isNotFound, newForbidden, newNotFound, StatusError } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { type LabelSelector, labelSelectorAsSelector, matches } from '@kcp-ts/topology';
import type { AuthorizationAttributes, Decision } from '../../auth/types';
import { toCelValue } from '../../crd/cel/cel-types';
import type { ResourceRegistry } from '../../registry/resource-registry';
import { obj, str } from '../../registry/json';
import type { Obj } from '../../registry/types';
import type { ServedResource } from '../../rest/scope';
import type { CachedObject } from '../../watch/watch-cache';
import type { AdmissionAttributes, AdmissionPlugin } from '../types';
import { type CelAuthorize, CelAuthorizer } from './admission-cel';
import { parseGroupVersion, servedKind } from './param-kind';
import { type MatchRequest, type MatchResources, matchResources } from './matching';
import { type CompiledPolicy, compilePolicy } from './policy-cel';
import { type PolicyDecision, evaluatePolicy } from './policy-evaluator';

const GROUP = 'admissionregistration.k8s.io';
const POLICIES = 'validatingadmissionpolicies';
const BINDINGS = 'validatingadmissionpolicybindings';

/** What the plugin needs from the server. */
export interface ValidatingAdmissionPolicyOptions {
  readonly registry: ResourceRegistry;
  /** the server's authorizer chain (for the CEL `authorizer`) */
  readonly authorize: CelAuthorize;
}

/** A denial with what it came from (upstream's `policyDecisionWithMetadata`). */
interface Denial {
  readonly policy: string;
  readonly binding: string | undefined;
  readonly message: string;
  readonly reason: string;
}

/** What is kept with a cached policy object: its compilation. */
interface PolicyEntry {
  readonly compiled: CompiledPolicy;
}

const STATUS_CODES: Readonly<Record<string, number>> = {
  Forbidden: 403,
  Unauthorized: 401,
  RequestEntityTooLarge: 413,
  Invalid: 422,
};

/** Upstream's `reasonToCode`: anything else is 422. */
function reasonToCode(reason: string): number {
  return STATUS_CODES[reason] ?? 422;
}

function isPolicyResource(a: AdmissionAttributes): boolean {
  const { group, resource } = a.definition;
  return (
    group === GROUP &&
    (resource === POLICIES || resource === BINDINGS || resource === 'mutatingadmissionpolicies' || resource === 'mutatingadmissionpolicybindings')
  );
}

/** `schema.GroupVersionKind.String()`: `example.com/v1, Kind=Foo` (`/v1, Kind=ConfigMap` in the core group). */
function gvkString(group: string, version: string, kind: string): string {
  return `${group}/${version}, Kind=${kind}`;
}

/** The request as `request` in CEL (upstream's AdmissionRequest, its empty optional fields left out). */
function celRequest(a: AdmissionAttributes, kind: { group: string; version: string; kind: string }): Record<string, unknown> {
  const { group, version, resource } = a.definition;
  const userInfo: Record<string, unknown> = { username: a.user.username };
  if (a.user.uid) userInfo['uid'] = a.user.uid;
  if (a.user.groups.length > 0) userInfo['groups'] = [...a.user.groups];
  if (a.user.extra && Object.keys(a.user.extra).length > 0) userInfo['extra'] = a.user.extra;
  const options = {
    CREATE: 'CreateOptions',
    UPDATE: 'UpdateOptions',
    DELETE: 'DeleteOptions',
  }[a.operation];
  const request: Record<string, unknown> = {
    kind,
    resource: { group, version, resource },
    requestKind: kind,
    requestResource: { group, version, resource },
    operation: a.operation,
    userInfo,
    dryRun: a.dryRun,
    options: { kind: options, apiVersion: 'meta.k8s.io/v1' },
  };
  if (a.subresource !== '') {
    request['subResource'] = a.subresource;
    request['requestSubResource'] = a.subresource;
  }
  if (a.name !== '') request['name'] = a.name;
  if (a.namespace !== '') request['namespace'] = a.namespace;
  return request;
}

/** `cel.CreateNamespaceObject`: the metadata fields CEL sees (`UID` spelled so), spec and status. */
function celNamespace(namespace: Obj): Record<string, unknown> {
  const m = namespace.metadata;
  const metadata: Record<string, unknown> = {};
  const copy = (from: string, to = from) => {
    const value = (m as Record<string, unknown>)[from];
    if (value !== undefined && value !== '') metadata[to] = value;
  };
  for (const field of [
    'name',
    'generateName',
    'namespace',
    'labels',
    'annotations',
    'creationTimestamp',
    'deletionGracePeriodSeconds',
    'deletionTimestamp',
    'generation',
    'resourceVersion',
    'finalizers',
  ]) {
    copy(field);
  }
  copy('uid', 'UID');
  return toCelValue(
    {
      metadata,
      spec: obj(namespace['spec']),
      status: obj(namespace['status']),
    },
    undefined,
  ) as Record<string, unknown>;
}

/** A per-request cache of authorization decisions (upstream's caching authorizer). */
function cachingAuthorize(authorize: CelAuthorize): CelAuthorize {
  const decisions = new Map<string, Decision | Promise<Decision>>();
  return (attributes: AuthorizationAttributes) => {
    const { user, ...rest } = attributes;
    const key = JSON.stringify([user.username, user.uid ?? '', user.groups, user.extra ?? {}, rest]);
    let decision = decisions.get(key);
    if (decision === undefined) {
      decision = authorize(attributes);
      decisions.set(key, decision);
    }
    return decision;
  };
}

/**
 * kube-apiserver's `ValidatingAdmissionPolicy` admission plugin, per logical
 * cluster as kcp's `KCPValidatingAdmissionPolicy`: the bindings of the
 * request's own logical cluster, each with the policy it names, select writes
 * (CREATE, UPDATE, DELETE, subresources included) by the policy's
 * `matchConstraints` and the binding's `matchResources`, then the policy's
 * CEL decides, once per param. Denials go by the binding's
 * `validationActions`: `Deny` refuses the request (the first denial's
 * message, `ValidatingAdmissionPolicy '<p>' with binding '<b>' denied request: …`,
 * with its reason and code), `Warn` adds a warning, `Audit` has no audit log
 * to go to here.
 *
 * Policies are compiled on first use and kept with the cached policy object,
 * so a changed or deleted policy leaves its compilation behind for the
 * garbage collector. A cluster without bindings costs one empty cache lookup
 * per write.
 */
export function validatingAdmissionPolicy(options: ValidatingAdmissionPolicyOptions): AdmissionPlugin {
  const { registry } = options;
  const compiled = new WeakMap<Obj, PolicyEntry>();
  let resources:
    | {
        policies: Required<ServedResource>;
        bindings: Required<ServedResource>;
        namespaces: Required<ServedResource>;
      }
    | null
    | undefined;

  const served = () => {
    if (resources === undefined) {
      try {
        resources = {
          policies: registry.builtin(GROUP, 'v1', POLICIES),
          bindings: registry.builtin(GROUP, 'v1', BINDINGS),
          namespaces: registry.builtin('', 'v1', 'namespaces'),
        };
      } catch {
        resources = null; // the server does not serve the policies: nothing to enforce
      }
    }
    return resources;
  };

  const entryFor = (policy: Obj): PolicyEntry => {
    let entry = compiled.get(policy);
    if (!entry) {
      entry = {
        compiled: compilePolicy(obj(policy['spec']), fieldPath('spec')),
      };
      compiled.set(policy, entry);
    }
    return entry;
  };

  /** A namespace (cache first; the store when the cache lags a namespace created a moment ago); NotFound as upstream. */
  const namespaceObject = async (cluster: ClusterName, name: string): Promise<Obj | StatusError> => {
    const { namespaces } = served()!;
    const cached = namespaces.cache.get(cluster, namespaces.store.key(cluster, '', name));
    if (cached) return cached.object;
    try {
      return await namespaces.store.get(cluster, '', name);
    } catch (err) {
      if (isNotFound(err)) return newNotFound({ group: '', resource: 'namespaces' }, name);
      throw err;
    }
  };


  /** Upstream's `CollectParams`: `[undefined]` when the policy takes none, the params found, or the configuration error. */
  const collectParams = async (
    a: AdmissionAttributes,
    resource: ServedResource,
    paramKind: string,
    paramRef: Record<string, unknown> | undefined,
  ): Promise<Array<Obj | undefined> | Error> => {
    if (!paramRef) return [undefined];
    const { definition, cache, store } = resource;
    if (!cache || !store) return new Error(`paramKind kind \`${paramKind}\` not known`);
    let namespace = '';
    if (definition.namespaced) {
      namespace = str(paramRef['namespace']) || a.namespace;
      if (namespace === '') return new Error('cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
    } else if (str(paramRef['namespace']) !== '') {
      return new Error('paramRef.namespace must not be provided for a cluster-scoped `paramKind`');
    }
    let params: Obj[];
    const name = str(paramRef['name']);
    if (name !== '') {
      const cached = cache.get(a.cluster, store.key(a.cluster, namespace, name));
      let param = cached?.object;
      if (!param) {
        // the cache may lag a param created a moment ago
        try {
          param = await store.get(a.cluster, namespace, name);
        } catch (err) {
          if (!isNotFound(err)) return err instanceof Error ? err : new Error(String(err));
        }
      }
      params = param ? [param] : [];
    } else if (paramRef['selector'] !== undefined && paramRef['selector'] !== null) {
      let selector;
      try {
        selector = labelSelectorAsSelector(paramRef['selector'] as LabelSelector);
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
      const found: CachedObject[] = [];
      for (const cached of cache.objects(a.cluster)) {
        if (definition.namespaced && cached.namespace !== namespace) continue;
        if (matches(selector, (cached.object.metadata.labels ?? {}) as Record<string, string>)) found.push(cached);
      }
      found.sort((x, y) => (x.namespace === y.namespace ? (x.name < y.name ? -1 : x.name > y.name ? 1 : 0) : x.namespace < y.namespace ? -1 : 1));
      params = found.map((c) => c.object);
    } else {
      return new Error('one of name or selector must be provided');
    }
    if (params.length === 0 && str(paramRef['parameterNotFoundAction']) === 'Deny') {
      return new Error('no params found for policy binding with `Deny` parameterNotFoundAction');
    }
    return params;
  };

  const dispatch = async (a: AdmissionAttributes, bindings: Obj[]): Promise<void> => {
    const { policies } = served()!;
    const byPolicy = new Map<string, Obj[]>();
    for (const binding of bindings) {
      const policyName = str(obj(binding['spec'])['policyName']);
      const list = byPolicy.get(policyName);
      if (list) list.push(binding);
      else byPolicy.set(policyName, [binding]);
    }

    const { group, version, resource } = a.definition;
    const kind = a.definition.subresources[a.subresource]?.kind ?? {
      group,
      version,
      kind: a.definition.kind,
    };
    const isNamespace = group === '' && resource === 'namespaces';
    // a subresource served as another kind (/scale) is seen as that kind, as upstream's admission sees it
    const view = a.definition.subresources[a.subresource]?.view;
    const asSeen = (o: Obj | undefined) => (o && view ? view.toView(o) : o);
    const object = a.operation === 'DELETE' ? undefined : asSeen(a.object);
    const oldObject = asSeen(a.oldObject);
    // a Namespace written (not deleted) is its own source of labels
    const ownLabels = isNamespace && a.subresource === '' && a.operation !== 'DELETE';
    const namespaceName = isNamespace ? (ownLabels ? '' : a.name) : a.namespace;
    const namespace = namespaceName === '' ? undefined : await namespaceObject(a.cluster, namespaceName);
    const match: MatchRequest = {
      operation: a.operation,
      group,
      version,
      resource,
      subresource: a.subresource,
      // upstream's attributes of a namespace carry its own name as namespace
      namespace: isNamespace ? a.name : a.namespace,
      name: a.name,
      object,
      oldObject,
      namespaceLabels: () => {
        if (ownLabels) return object?.metadata.labels ?? {};
        if (namespace instanceof StatusError) throw namespace;
        return namespace?.metadata.labels ?? {};
      },
    };

    const denials: Denial[] = [];
    const authorize = cachingAuthorize(options.authorize);
    const authorizer = new CelAuthorizer(authorize, a.user, a.cluster, {
      group,
      resource,
      subresource: a.subresource,
      namespace: a.namespace,
      name: a.name,
    });
    let request: Record<string, unknown> | undefined;
    let celObject: unknown;
    let celOldObject: unknown;
    let celNamespaceObject: unknown;

    const addConfigError = (failurePolicy: string, policy: string, binding: string | undefined, err: Error) => {
      if (failurePolicy === 'Ignore') return;
      const message = binding === undefined ? `failed to configure policy: ${err.message}` : `failed to configure binding: ${err.message}`;
      denials.push({ policy, binding, message, reason: '' });
    };

    for (const policyName of [...byPolicy.keys()].sort()) {
      const cachedPolicy = policies.cache.get(a.cluster, policies.store.key(a.cluster, '', policyName));
      if (!cachedPolicy) continue; // a binding of a policy that does not exist does nothing
      const policy = cachedPolicy.object;
      const spec = obj(policy['spec']);
      const failurePolicy = str(spec['failurePolicy']) || 'Fail';
      const constraints = spec['matchConstraints'];
      if (typeof constraints !== 'object' || constraints === null) continue;
      // upstream (1.32) treats a policy whose selectors cannot be evaluated as not matching
      if (!matchResources(constraints as MatchResources, match).matches) continue;

      const paramKind = obj(spec['paramKind']);
      let paramResourceServed: ServedResource | undefined;
      let paramKindText = '';
      if (spec['paramKind'] !== undefined && spec['paramKind'] !== null) {
        const apiVersion = str(paramKind['apiVersion']);
        const paramKindName = str(paramKind['kind']);
        const gv = parseGroupVersion(apiVersion);
        paramKindText = gv ? gvkString(gv.group, gv.version, paramKindName) : `${apiVersion}, Kind=${paramKindName}`;
        paramResourceServed = gv ? servedKind(registry, a.cluster, gv.group, gv.version, paramKindName) : undefined;
        if (!paramResourceServed) {
          addConfigError(failurePolicy, policyName, undefined, new Error(`failed to find resource referenced by paramKind: '${paramKindText}'`));
          continue;
        }
      }
      const entry = entryFor(policy);

      const policyBindings = byPolicy.get(policyName)!.sort((x, y) => ((x.metadata.name ?? '') < (y.metadata.name ?? '') ? -1 : 1));
      for (const binding of policyBindings) {
        const bindingName = binding.metadata.name ?? '';
        const bindingSpec = obj(binding['spec']);
        const narrowing = bindingSpec['matchResources'];
        if (typeof narrowing === 'object' && narrowing !== null) {
          const result = matchResources(narrowing as MatchResources, match);
          if (result.error) {
            addConfigError(failurePolicy, policyName, bindingName, result.error);
            continue;
          }
          if (!result.matches) continue;
        }
        const paramRef = bindingSpec['paramRef'];
        const params = paramResourceServed
          ? await collectParams(
              a,
              paramResourceServed,
              paramKindText,
              typeof paramRef === 'object' && paramRef !== null ? (paramRef as Record<string, unknown>) : undefined,
            )
          : [undefined];
        if (params instanceof Error) {
          addConfigError(failurePolicy, policyName, bindingName, params);
          continue;
        }
        if (params.length === 0) continue;

        request ??= celRequest(a, kind);
        if (celObject === undefined) {
          celObject = object === undefined ? null : toCelValue(object, undefined);
          celOldObject = oldObject === undefined || a.operation === 'CREATE' ? null : toCelValue(oldObject, undefined);
          // the namespace object of a namespaced request; none for a Namespace itself
          if (isNamespace || a.namespace === '' || namespace === undefined) celNamespaceObject = null;
          else if (namespace instanceof StatusError) throw namespace;
          else celNamespaceObject = celNamespace(namespace);
        }
        const actions = Array.isArray(bindingSpec['validationActions']) ? (bindingSpec['validationActions'] as unknown[]).map(str) : [];
        for (const param of params) {
          const result = await evaluatePolicy(
            entry.compiled,
            {
              object: celObject,
              oldObject: celOldObject,
              request,
              namespaceObject: celNamespaceObject,
              params: param === undefined ? null : toCelValue(param, undefined),
              authorizer,
            },
            failurePolicy,
          );
          for (const decision of result.decisions) {
            if (decision.action !== 'deny') continue;
            for (const action of actions) {
              if (action === 'Deny') denials.push(denialOf(policyName, bindingName, decision));
              else if (action === 'Warn')
                a.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${decision.message}`);
              // Audit: there is no audit log to annotate
            }
          }
          for (const annotation of result.auditAnnotations) {
            // published annotations have no audit log to go to; with failurePolicy Fail an error denies
            if (annotation.action === 'error')
              denials.push({
                policy: policyName,
                binding: bindingName,
                message: annotation.error ?? '',
                reason: '',
              });
          }
        }
      }
    }

    const denial = denials[0];
    if (!denial) return;
    const message =
      denial.binding === undefined
        ? `ValidatingAdmissionPolicy '${denial.policy}' denied request: ${denial.message}`
        : `ValidatingAdmissionPolicy '${denial.policy}' with binding '${denial.binding}' denied request: ${denial.message}`;
    // upstream's `admission.NewForbidden`: the request's name, else the object's (or its generateName)
    const name = a.name || object?.metadata.name || object?.metadata.generateName || 'Unknown';
    const forbidden = newForbidden({ group, resource }, name, message);
    const reason = denial.reason || 'Invalid';
    throw new StatusError({
      ...forbidden.status,
      reason,
      code: reasonToCode(reason),
      details: { ...forbidden.status.details, causes: [{ message }] },
    });
  };

  return {
    name: 'ValidatingAdmissionPolicy',
    validate(a: AdmissionAttributes): void | Promise<void> {
      if (isPolicyResource(a)) return undefined;
      const found = served();
      if (!found) return undefined;
      let bindings: Obj[] | undefined;
      for (const cached of found.bindings.cache.objects(a.cluster)) (bindings ??= []).push(cached.object);
      if (!bindings) return undefined;
      return dispatch(a, bindings);
    },
  };
}

function denialOf(policy: string, binding: string, decision: PolicyDecision): Denial {
  return {
    policy,
    binding,
    message: decision.message,
    reason: decision.reason,
  };
}
