import {
  type AdmissionAttributes,
  type AdmissionPlugin,
  type ApiServer,
  type UserInfo,
  SYSTEM_MASTERS,
  unstructuredKind,
} from '@kcp-ts/apiserver';
import { newForbidden, newUnknownError, type StatusError } from '@kcp-ts/apimachinery';
import {
  CORE_GROUP,
  LOGICAL_CLUSTER_TYPE_ANNOTATION,
  type LogicalCluster,
  type LogicalClusterPhase,
  REQUIRED_GROUPS_ANNOTATION,
  ROOT_WORKSPACE_TYPE_NAME,
  TENANCY_GROUP,
  TENANCY_VERSION,
  WORKSPACE_CLUSTER_ANNOTATION,
  WORKSPACE_OWNER_ANNOTATION,
  WORKSPACE_TYPE_RESERVED_NAMES,
  type Workspace,
  type WorkspaceType,
} from '@kcp-ts/apis';
import { type ClusterPath, PATH_ANNOTATION, ROOT_CLUSTER, joinClusterPath, splitClusterPath } from '@kcp-ts/logicalcluster';
import type { ShardLoad } from './shard-load';
import type { TenancyState } from './tenancy-state';
import { isPlaced, placeWorkspace, withPlacement } from './workspace-placement';
import {
  WorkspaceTypeResolutionError,
  type WorkspaceTypeResolver,
  allowedChildrenErrors,
  allowedParentsErrors,
  qualifiedTypeName,
  typePath,
} from './workspace-types';

/** Groups allowed to manage LogicalClusters and Workspace placement directly. */
const PRIVILEGED_GROUPS = [SYSTEM_MASTERS, 'system:kcp:logical-cluster-admin', 'system:kcp:tenancy:workspace-bootstrapper'];
const isPrivileged = (user: UserInfo) => user.groups.some((g) => PRIVILEGED_GROUPS.includes(g));

const PHASE_ORDER: Record<string, number> = { '': 0, Scheduling: 1, Initializing: 2, Ready: 3, Unavailable: 3, Inactive: 3, Terminating: 4, Deleting: 5 };

const isResource = (a: AdmissionAttributes, group: string, resource: string) => a.definition.group === group && a.definition.resource === resource;

function forbidden(a: AdmissionAttributes, message: string): StatusError {
  return newForbidden({ group: a.definition.group, resource: a.definition.resource }, a.name, message);
}

/**
 * The JSON of the owner annotation: the creator's user info, as upstream
 * marshals `authenticationv1.UserInfo` (empty fields left out).
 */
export function ownerAnnotationValue(user: UserInfo): string {
  const extra = user.extra && Object.keys(user.extra).length > 0 ? { extra: user.extra } : {};
  return JSON.stringify({
    username: user.username,
    ...(user.uid ? { uid: user.uid } : {}),
    ...(user.groups.length > 0 ? { groups: user.groups } : {}),
    ...extra,
  });
}

/** Options of {@link logicalClusterAdmission}. */
export interface LogicalClusterAdmissionOptions {
  /**
   * This shard's external URL: a LogicalCluster created here with
   * initializers starts Initializing, its `status.URL` under this URL.
   */
  readonly externalURL?: string;
}

/**
 * `core.kcp.io/LogicalCluster`: LogicalClusters are created by the system only;
 * deleted only when `spec.directlyDeletable`; `spec.initializers` are
 * immutable, `status.initializers` start as them and only shrink; phases
 * never go backwards. On the transition to Initializing the initializers are
 * copied into the status.
 *
 * With `externalURL`, a LogicalCluster created with initializers is
 * Initializing from its create on (divergence: upstream creates it
 * Scheduling and its creator moves it to Initializing in a status update
 * right after; nothing acts on a LogicalCluster in between).
 */
export function logicalClusterAdmission(options: LogicalClusterAdmissionOptions = {}): AdmissionPlugin {
  return {
    name: 'core.kcp.io/LogicalCluster',
    admit(a) {
      if (!isResource(a, CORE_GROUP, 'logicalclusters')) return;
      const lc = a.object as unknown as LogicalCluster;
      if (a.operation === 'CREATE') {
        // with initializers it starts Initializing at once: its creator's status write is saved
        const initializers = lc.spec?.initializers ?? [];
        if (options.externalURL === undefined || initializers.length === 0) return;
        lc.status = { phase: 'Initializing', initializers: [...initializers], URL: `${options.externalURL}/clusters/${a.cluster}` };
        return;
      }
      if (a.operation !== 'UPDATE') return;
      const old = a.oldObject as unknown as LogicalCluster;
      if (old.status?.phase !== 'Initializing' && lc.status?.phase === 'Initializing') {
        lc.status = { ...lc.status, initializers: [...(lc.spec?.initializers ?? [])] };
      }
    },
    validate(a) {
      if (!isResource(a, CORE_GROUP, 'logicalclusters') || isPrivileged(a.user)) return;
      if (a.operation === 'CREATE') throw forbidden(a, 'LogicalCluster cannot be created');
      if (a.operation === 'DELETE') {
        const lc = a.oldObject as unknown as LogicalCluster | undefined;
        if (!lc?.spec?.directlyDeletable) throw forbidden(a, 'LogicalCluster cannot be deleted');
        return;
      }
      const lc = a.object as unknown as LogicalCluster;
      const old = a.oldObject as unknown as LogicalCluster;
      const set = (l: readonly string[] | undefined) => new Set(l ?? []);
      const equal = (x: Set<string>, y: Set<string>) => x.size === y.size && [...x].every((v) => y.has(v));
      const oldSpec = set(old.spec?.initializers);
      const newSpec = set(lc.spec?.initializers);
      const oldStatus = set(old.status?.initializers);
      const newStatus = set(lc.status?.initializers);
      const phase = lc.status?.phase ?? '';
      const oldPhase = old.status?.phase ?? '';
      if (!equal(oldSpec, newSpec)) throw forbidden(a, 'spec.initializers is immutable');
      const toInitializing = oldPhase !== 'Initializing' && phase === 'Initializing';
      if (toInitializing && !equal(newSpec, newStatus)) throw forbidden(a, 'status.initializers do not equal spec.initializers');
      if (!toInitializing && phase === 'Initializing' && ![...newStatus].every((i) => oldStatus.has(i))) throw forbidden(a, 'status.initializers must not grow');
      if (phase !== 'Initializing' && !equal(oldStatus, newStatus)) throw forbidden(a, 'status.initializers is immutable after initilization');
      if (oldPhase === 'Initializing' && phase !== 'Initializing' && newStatus.size > 0) throw forbidden(a, 'status.initializers is not empty');
      if ((PHASE_ORDER[oldPhase] ?? 0) > (PHASE_ORDER[phase] ?? 0)) throw forbidden(a, `cannot transition from "${oldPhase}" to "${phase}"`);
    },
  };
}

/**
 * `tenancy.kcp.io/Workspace` and `tenancy.kcp.io/WorkspaceTypeExists`:
 * the creator is recorded in the owner annotation, required groups are
 * inherited, the type defaults to the parent type's `defaultChildWorkspaceType`
 * and is resolved to its canonical path, the creator needs `use` on every
 * alias of the type, parent/child limits hold, and the type and placement are
 * immutable afterwards.
 *
 * With `shardLoad` (once synced), a created workspace is also placed: its
 * cluster name, shard and the LogicalCluster finalizer are set on the create,
 * and when the name is drawn here, `spec.cluster` and `spec.URL` too
 * (divergence: upstream's workspace controller writes them in two updates,
 * the second after creating the LogicalCluster; here the path resolves to the
 * cluster while its LogicalCluster is being created, where access is denied
 * until it exists, and the phase is not Ready before).
 */
export function workspaceAdmission(server: ApiServer, state: TenancyState, types: WorkspaceTypeResolver, shardLoad?: ShardLoad): AdmissionPlugin {
  const currentPath = (a: AdmissionAttributes): ClusterPath => state.canonicalPath(a.cluster);
  const parentTypeOf = (a: AdmissionAttributes): WorkspaceType => {
    const lc = state.logicalCluster(a.cluster);
    if (!lc) throw forbidden(a, `workspace type cannot be resolved: logicalclusters.core.kcp.io "cluster" not found`);
    const annotation = lc.metadata?.annotations?.[LOGICAL_CLUSTER_TYPE_ANNOTATION];
    if (!annotation) throw forbidden(a, `annotation ${LOGICAL_CLUSTER_TYPE_ANNOTATION} on LogicalCluster must be set`);
    const { parent, base } = splitClusterPath(annotation as ClusterPath);
    if (!parent) throw forbidden(a, `annotation ${LOGICAL_CLUSTER_TYPE_ANNOTATION} on LogicalCluster must be in the form of cluster:name`);
    const type = types.get(parent, base);
    if (!type) throw forbidden(a, `workspace type cannot be resolved: workspacetypes.tenancy.kcp.io "${annotation}" not found`);
    return type;
  };
  const resolve = <T>(a: AdmissionAttributes, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof WorkspaceTypeResolutionError) throw forbidden(a, err.message);
      throw err;
    }
  };
  return {
    name: 'tenancy.kcp.io/Workspace',
    admit(a) {
      if (!isResource(a, TENANCY_GROUP, 'workspaces') || a.operation !== 'CREATE') return;
      // kcp converts the object to its Go type first: a spec or type that is no object fails there, unchanged
      const spec = a.object?.['spec'];
      const shape = structShapeError(spec) ?? structShapeError((spec as Record<string, unknown> | undefined)?.['type']);
      if (shape) throw newUnknownError(`failed to convert unstructured to Workspace: ${shape}`);
      const ws = a.object as unknown as Workspace;
      ws.metadata ??= {};
      const annotations = { ...(ws.metadata.annotations ?? {}) };
      const privileged = a.user.groups.includes(SYSTEM_MASTERS);
      if (!privileged) annotations[WORKSPACE_OWNER_ANNOTATION] = ownerAnnotationValue(a.user);
      if (!(REQUIRED_GROUPS_ANNOTATION in annotations) || !privileged) {
        const required = state.logicalCluster(a.cluster)?.metadata?.annotations?.[REQUIRED_GROUPS_ANNOTATION];
        if (required) annotations[REQUIRED_GROUPS_ANNOTATION] = required;
        else delete annotations[REQUIRED_GROUPS_ANNOTATION];
      }
      ws.metadata.annotations = annotations;
      ws.spec ??= {};
      if (!ws.spec.type?.name) {
        const parentType = parentTypeOf(a);
        const fallback = parentType.spec?.defaultChildWorkspaceType;
        if (!fallback) throw forbidden(a, `spec.defaultChildWorkspaceType of workspace type ${qualifiedTypeName(parentType)} must be set`);
        ws.spec.type = { name: fallback.name, ...(fallback.path ? { path: fallback.path } : {}) };
      }
      const type = resolve(a, () => types.resolveReference(currentPath(a), ws.spec!.type!));
      if (!ws.spec.type.path) ws.spec.type = { ...ws.spec.type, path: typePath(type) };
      const extraLabels = type.spec?.additionalWorkspaceLabels ?? {};
      if (Object.keys(extraLabels).length > 0) ws.metadata.labels = { ...extraLabels, ...ws.metadata.labels };
      if (!privileged && ws.spec.cluster) throw forbidden(a, 'spec.Cluster can only be set by system privileged users');
      if (!privileged && ws.spec.URL) throw forbidden(a, 'spec.URL can only be set by system privileged users');
      // scheduling rides on the create: the name, shard and finalizer (the controller's first write),
      // and where it will be served when the name is fresh (the controller's spec write)
      if (shardLoad?.synced() && !isPlaced(ws)) {
        const drawn = !ws.metadata.annotations?.[WORKSPACE_CLUSTER_ANNOTATION];
        const placement = placeWorkspace(ws, state, shardLoad);
        if (!placement) return;
        ws.metadata = withPlacement(ws.metadata, placement);
        const shard = [...state.shards()].find((s) => s.metadata?.name === placement.shardName);
        const base = shard?.spec?.externalURL ?? shard?.spec?.baseURL;
        // a generated name may still change after admission (a retry on a conflict): the controller sets spec then
        if (drawn && base && !ws.spec.cluster && !ws.metadata.generateName) {
          ws.spec = { ...ws.spec, cluster: placement.clusterName, URL: `${base}/clusters/${joinClusterPath(currentPath(a), ws.metadata.name ?? '')}` };
        }
      }
    },
    validate(a) {
      if (!isResource(a, TENANCY_GROUP, 'workspaces')) return;
      if (a.operation === 'UPDATE') {
        const ws = a.object as unknown as Workspace;
        const old = a.oldObject as unknown as Workspace;
        if ((old.spec?.type?.name ?? '') !== (ws.spec?.type?.name ?? '') || (old.spec?.type?.path ?? '') !== (ws.spec?.type?.path ?? '')) {
          throw forbidden(a, 'spec.type is immutable');
        }
        validatePlacementUpdate(a);
        return;
      }
      if (a.operation !== 'CREATE') return;
      const ws = a.object as unknown as Workspace;
      const privileged = a.user.groups.includes(SYSTEM_MASTERS);
      if (!privileged) {
        const expected = ownerAnnotationValue(a.user);
        if (ws.metadata?.annotations?.[WORKSPACE_OWNER_ANNOTATION] !== expected) {
          throw forbidden(a, `expected user annotation ${WORKSPACE_OWNER_ANNOTATION}=${expected}`);
        }
        // spec.cluster and spec.URL a user sent are refused in admit, before admission sets them
      }
      const ref = ws.spec?.type;
      if (!ref?.path) throw forbidden(a, 'spec.type.path must be set');
      const type = resolve(a, () => types.resolveReference(currentPath(a), ref));
      const aliases = resolve(a, () => types.aliases(type));
      for (const alias of aliases) {
        const cluster = alias.metadata?.annotations?.['kcp.io/cluster'];
        const decision = cluster
          ? server.authorizeRbac({
              isResourceRequest: true,
              user: a.user,
              cluster: cluster as never,
              verb: 'use',
              apiGroup: TENANCY_GROUP,
              apiVersion: TENANCY_VERSION,
              resource: 'workspacetypes',
              subresource: '',
              namespace: '',
              name: alias.metadata?.name ?? '',
            })
          : { decision: 'deny' as const };
        if (decision.decision !== 'allow') {
          throw forbidden(a, `unable to use cluster workspace type ${qualifiedTypeName(alias)}: missing verb='use' permission on workspacetype`);
        }
      }
      const parentType = parentTypeOf(a);
      const parentAliases = resolve(a, () => types.aliases(parentType));
      const parentName = qualifiedTypeName(parentType);
      const childName = `${ref.path}:${ref.name}`;
      const errors = [...allowedParentsErrors(parentAliases, aliases, parentName, childName), ...allowedChildrenErrors(parentAliases, aliases, parentName, childName)];
      if (errors.length === 1) throw forbidden(a, errors[0]!);
      if (errors.length > 1) throw forbidden(a, `[${errors.join(', ')}]`);
    },
  };

  /** Who may move a workspace, and what a Ready one must have (kcp's checks on update). */
  function validatePlacementUpdate(a: AdmissionAttributes): void {
    const ws = a.object as unknown as Workspace;
    const old = a.oldObject as unknown as Workspace;
    // a mounted workspace is served where its mount object says: none of this applies
    if (old.spec?.mount) return;
    if (!isPrivileged(a.user)) {
      if ((ws.spec?.cluster ?? '') !== (old.spec?.cluster ?? '')) throw forbidden(a, 'spec.cluster can only be changed by system privileged users');
      if ((ws.spec?.URL ?? '') !== (old.spec?.URL ?? '')) throw forbidden(a, 'spec.URL can only be changed by system privileged users');
    }
    const phase = (ws.status?.phase ?? '') as LogicalClusterPhase | '';
    if (phase === 'Ready' && old.status?.phase !== 'Ready') {
      if (!ws.spec?.cluster) throw forbidden(a, `spec.cluster must be set for phase ${phase}`);
      if (!ws.spec?.URL) throw forbidden(a, `spec.URL must be set for phase ${phase}`);
    }
  }
}

/**
 * `tenancy.kcp.io/WorkspaceType`, `apis.kcp.io/ReservedNames` and
 * `kcp.io/PathAnnotation` for WorkspaceTypes: reserved names are refused, the
 * `root` type only lives in root, and every type carries its logical cluster's
 * canonical path in `kcp.io/path`.
 */
export function workspaceTypeAdmission(state: TenancyState): AdmissionPlugin {
  return {
    name: 'tenancy.kcp.io/WorkspaceType',
    admit(a) {
      if (!isResource(a, TENANCY_GROUP, 'workspacetypes') || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
      const wst = a.object as unknown as WorkspaceType;
      wst.metadata ??= {};
      wst.metadata.annotations = { ...wst.metadata.annotations, [PATH_ANNOTATION]: state.canonicalPath(a.cluster) };
    },
    validate(a) {
      if (!isResource(a, TENANCY_GROUP, 'workspacetypes') || a.operation !== 'CREATE') return;
      if ((WORKSPACE_TYPE_RESERVED_NAMES as readonly string[]).includes(a.name)) {
        throw forbidden(a, `name "${a.name}" is reserved`);
      }
      if (a.name === ROOT_WORKSPACE_TYPE_NAME && a.cluster !== ROOT_CLUSTER) {
        throw forbidden(a, `the "${ROOT_WORKSPACE_TYPE_NAME}" workspace type can only be created in the root workspace`);
      }
    },
  };
}

/**
 * The unstructured converter's error for a struct field holding something
 * else (`cannot restore struct from: string`), or `undefined`.
 */
function structShapeError(value: unknown): string | undefined {
  if (value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value))) return undefined;
  return `cannot restore struct from: ${unstructuredKind(value)}`;
}
