import { type FieldError, fieldInvalid, fieldPath, fieldRequired, fieldNotSupported, jsonEqual } from '@kcp-ts/apimachinery';
import type { Obj, ResourceDefinition, Strategy, TableColumn } from '../registry/types';
import { columns } from '../rest/table';
import { defineBuiltin } from './define';
import { type Json, str } from '../registry/json';

const GROUP = 'rbac.authorization.k8s.io';
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

function validateRules(object: Obj, allowNonResourceURLs: boolean): FieldError[] {
  const errors: FieldError[] = [];
  for (const [i, rule] of arr(object['rules']).entries()) {
    const path = fieldPath('rules').index(i);
    if (arr(rule['verbs']).length === 0) errors.push(fieldRequired(path.child('verbs'), 'verbs must contain at least one value'));
    const nonResource = arr(rule['nonResourceURLs']);
    if (nonResource.length > 0) {
      if (!allowNonResourceURLs) {
        errors.push(fieldInvalid(path.child('nonResourceURLs'), rule['nonResourceURLs'], 'namespaced rules cannot apply to non-resource URLs'));
      }
      if (arr(rule['apiGroups']).length > 0 || arr(rule['resources']).length > 0) {
        errors.push(fieldInvalid(path.child('nonResourceURLs'), rule['nonResourceURLs'], 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      continue;
    }
    if (arr(rule['apiGroups']).length === 0) errors.push(fieldRequired(path.child('apiGroups'), 'resource rules must supply at least one api group'));
    if (arr(rule['resources']).length === 0) errors.push(fieldRequired(path.child('resources'), 'resource rules must supply at least one resource'));
  }
  return errors;
}

function validateBinding(object: Obj, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const roleRef = (object['roleRef'] ?? {}) as Json;
  if (str(roleRef['apiGroup']) !== GROUP) errors.push(fieldNotSupported(fieldPath('roleRef', 'apiGroup'), roleRef['apiGroup'] ?? '', [GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(str(roleRef['kind']))) errors.push(fieldNotSupported(fieldPath('roleRef', 'kind'), roleRef['kind'] ?? '', kinds));
  if (str(roleRef['name']) === '') errors.push(fieldRequired(fieldPath('roleRef', 'name')));
  for (const [i, subject] of arr(object['subjects']).entries()) {
    const path = fieldPath('subjects').index(i);
    if (str(subject['name']) === '') errors.push(fieldRequired(path.child('name')));
    const kind = str(subject['kind']);
    if (!['User', 'Group', 'ServiceAccount'].includes(kind)) errors.push(fieldNotSupported(path.child('kind'), kind, ['ServiceAccount', 'User', 'Group']));
    if (kind === 'ServiceAccount' && !namespaced && str(subject['namespace']) === '') errors.push(fieldRequired(path.child('namespace')));
  }
  return errors;
}

const roleStrategy = (allowNonResourceURLs: boolean): Strategy => ({
  statusSubresource: false,
  tracksGeneration: false,
  validate: (o) => validateRules(o, allowNonResourceURLs),
  validateUpdate: (o) => validateRules(o, allowNonResourceURLs),
});

const bindingStrategy = (namespaced: boolean): Strategy => ({
  statusSubresource: false,
  tracksGeneration: false,
  validate: (o) => validateBinding(o, namespaced),
  validateUpdate: (o, old) => {
    const errors = validateBinding(o, namespaced);
    if (!jsonEqual(o['roleRef'], old['roleRef'])) errors.push(fieldInvalid('roleRef', o['roleRef'], 'cannot change roleRef'));
    return errors;
  },
});

const subjectsOf = (kind: string) => (o: Obj) =>
  arr(o['subjects'])
    .filter((s) => s['kind'] === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${str(s['namespace'])}/${str(s['name'])}` : str(s['name'])))
    .join(', ');
const bindingColumns: TableColumn[] = [
  columns.name,
  { name: 'Role', type: 'string', description: 'The role the binding grants', cell: (o) => `${str((o['roleRef'] as Json | undefined)?.['kind'])}/${str((o['roleRef'] as Json | undefined)?.['name'])}` },
  columns.age,
  { name: 'Users', type: 'string', priority: 1, description: 'Users bound', cell: subjectsOf('User') },
  { name: 'Groups', type: 'string', priority: 1, description: 'Groups bound', cell: subjectsOf('Group') },
  { name: 'ServiceAccounts', type: 'string', priority: 1, description: 'Service accounts bound', cell: subjectsOf('ServiceAccount') },
];

/** The RBAC resources served in every logical cluster. */
export const rbacResources: readonly ResourceDefinition[] = [
  defineBuiltin({ group: GROUP, version: 'v1', resource: 'roles', kind: 'Role', singular: 'role', namespaced: true, strategy: roleStrategy(false), nameValidation: 'path-segment', table: { columns: [columns.name, columns.createdAt] } }),
  defineBuiltin({ group: GROUP, version: 'v1', resource: 'rolebindings', kind: 'RoleBinding', singular: 'rolebinding', namespaced: true, strategy: bindingStrategy(true), nameValidation: 'path-segment', table: { columns: bindingColumns } }),
  defineBuiltin({ group: GROUP, version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', singular: 'clusterrole', namespaced: false, strategy: roleStrategy(true), nameValidation: 'path-segment', table: { columns: [columns.name, columns.createdAt] } }),
  defineBuiltin({ group: GROUP, version: 'v1', resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', singular: 'clusterrolebinding', namespaced: false, strategy: bindingStrategy(false), nameValidation: 'path-segment', table: { columns: bindingColumns } }),
];
