import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { BindingLike, PolicyRule, RbacSource, RoleLike, Subject } from './rbac';
import { KCP_ADMIN_GROUP, SYSTEM_AUTHENTICATED, SYSTEM_MASTERS, SYSTEM_UNAUTHENTICATED } from './types';

/**
 * The bootstrap RBAC policy: ClusterRoles and ClusterRoleBindings valid in
 * every logical cluster without being stored in it (upstream kcp keeps them in
 * `system:admin` and unions them into every cluster's RBAC). Local bindings may
 * reference these roles (`admin`, `edit`, `view`, …).
 */
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({
  verbs,
  apiGroups,
  resources,
  ...(resourceNames ? { resourceNames } : {}),
});
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

const VIEW_RULES: PolicyRule[] = [
  rule(READ, [''], ['configmaps', 'endpoints', 'events', 'namespaces', 'namespaces/status', 'serviceaccounts', 'resourcequotas', 'resourcequotas/status', 'limitranges']),
  rule(READ, ['events.k8s.io'], ['events']),
  rule(READ, ['coordination.k8s.io'], ['leases']),
  rule(READ, ['tenancy.kcp.io'], ['workspaces', 'workspacetypes']),
  rule(READ, ['apis.kcp.io'], ['apibindings', 'apiexports', 'apiresourceschemas', 'apiexportendpointslices']),
  rule(READ, ['topology.kcp.io'], ['partitions', 'partitionsets']),
];
const EDIT_RULES: PolicyRule[] = [
  rule([...READ, ...WRITE], [''], ['configmaps', 'events', 'secrets', 'serviceaccounts']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule([...READ, ...WRITE], ['events.k8s.io'], ['events']),
  rule([...READ, ...WRITE], ['coordination.k8s.io'], ['leases']),
  rule([...READ, ...WRITE], ['tenancy.kcp.io'], ['workspaces']),
  rule([...READ, ...WRITE], ['apis.kcp.io'], ['apibindings']),
  ...VIEW_RULES,
];
const ADMIN_RULES: PolicyRule[] = [
  rule([...READ, ...WRITE], ['rbac.authorization.k8s.io'], ['roles', 'rolebindings']),
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  ...EDIT_RULES,
];

const clusterRoles: RoleLike[] = [
  { metadata: { name: 'cluster-admin' }, rules: [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])] },
  { metadata: { name: 'admin' }, rules: ADMIN_RULES },
  { metadata: { name: 'edit' }, rules: EDIT_RULES },
  { metadata: { name: 'view' }, rules: VIEW_RULES },
  {
    metadata: { name: 'system:discovery' },
    rules: [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/readyz', '/openapi', '/openapi/*', '/version', '/version/'])],
  },
  {
    metadata: { name: 'system:basic-user' },
    rules: [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ],
  },
  { metadata: { name: 'system:public-info-viewer' }, rules: [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])] },
  { metadata: { name: 'system:kcp:workspace:access' }, rules: [urls(['access'], ['/'])] },
  { metadata: { name: 'system:kcp:tenancy:reader' }, rules: [rule(READ, ['tenancy.kcp.io'], ['workspaces', 'workspacetypes']), rule(READ, ['core.kcp.io'], ['logicalclusters'])] },
  { metadata: { name: 'system:kcp:metrics-reader' }, rules: [urls(['get'], ['/metrics'])] },
  {
    metadata: { name: 'system:kcp:logical-cluster-admin' },
    rules: [
      rule(['*'], ['core.kcp.io'], ['logicalclusters', 'logicalclusters/status']),
      rule(['get', 'update', 'delete'], ['tenancy.kcp.io'], ['workspaces']),
    ],
  },
  {
    metadata: { name: 'system:kcp:external-logical-cluster-admin' },
    rules: [
      rule(['get', 'update', 'patch'], ['core.kcp.io'], ['logicalclusters', 'logicalclusters/status']),
      rule(['get', 'update', 'patch'], ['tenancy.kcp.io'], ['workspaces', 'workspaces/status']),
      rule(['patch'], ['apis.kcp.io'], ['apiexportendpointslices/status']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      urls(['access'], ['/']),
    ],
  },
];

const group = (name: string): Subject => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name });
const binding = (name: string, role: string, subjects: Subject[]): BindingLike => ({
  metadata: { name },
  subjects,
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
});

const clusterRoleBindings: BindingLike[] = [
  binding('cluster-admin', 'cluster-admin', [group(SYSTEM_MASTERS)]),
  binding('system:kcp:admin:cluster-admin', 'cluster-admin', [group(KCP_ADMIN_GROUP)]),
  binding('system:discovery', 'system:discovery', [group(SYSTEM_AUTHENTICATED)]),
  binding('system:basic-user', 'system:basic-user', [group(SYSTEM_AUTHENTICATED)]),
  binding('system:public-info-viewer', 'system:public-info-viewer', [group(SYSTEM_AUTHENTICATED), group(SYSTEM_UNAUTHENTICATED)]),
  binding('system:kcp:logical-cluster-admin', 'system:kcp:logical-cluster-admin', [group('system:kcp:logical-cluster-admin')]),
  binding('system:kcp:external-logical-cluster-admin', 'system:kcp:external-logical-cluster-admin', [group('system:kcp:external-logical-cluster-admin')]),
];

const rolesByName = new Map(clusterRoles.map((r) => [r.metadata.name, r]));

/** The bootstrap policy as an {@link RbacSource}: the same in every logical cluster. */
export const bootstrapPolicy: RbacSource & { readonly clusterRoles: readonly RoleLike[]; readonly bindings: readonly BindingLike[] } = {
  label: 'bootstrap',
  clusterRoles,
  bindings: clusterRoleBindings,
  clusterRoleBindings: (_cluster: ClusterName) => clusterRoleBindings,
  roleBindings: () => [],
  clusterRole: (_cluster: ClusterName, name: string) => rolesByName.get(name),
  role: () => undefined,
};
