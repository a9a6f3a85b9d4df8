/**
 * Pins the `x-kubernetes-*` extensions that change patch and apply behaviour,
 * as published by upstream Kubernetes (OpenAPI v3 documents and the Go struct
 * tags of k8s.io/api). Each row states the complete set of extensions on the
 * node, so both a typo and a stray extension fail.
 */
import { describe, expect, it } from 'vitest';
import { extensionsOf, nodeAt } from './test-helpers';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const CORE = 'io.k8s.api.core.v1.';
const RBAC = 'io.k8s.api.rbac.v1.';
const AUTHZ = 'io.k8s.api.authorization.v1.';
const AUTHN = 'io.k8s.api.authentication.v1.';
const ADMISSION = 'io.k8s.api.admissionregistration.v1.';
const APIEXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';
const CERTS = 'io.k8s.api.certificates.v1.';

const ATOMIC = { 'x-kubernetes-list-type': 'atomic' };
const STRUCT_ATOMIC = { 'x-kubernetes-map-type': 'atomic' };
const PRESERVE = { 'x-kubernetes-preserve-unknown-fields': true };
const NONE = {};
/** A map list that strategic merge patch also merges by the same key. */
const mergedMap = (key: string) => ({
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': [key],
  'x-kubernetes-patch-merge-key': key,
  'x-kubernetes-patch-strategy': 'merge',
});

/** [definition, path from it ('' = the definition itself), the complete extension set]. */
const PINS: readonly (readonly [string, string, Record<string, unknown>])[] = [
  // meta/v1
  [`${META}ObjectMeta`, 'ownerReferences', mergedMap('uid')],
  [`${META}ObjectMeta`, 'finalizers', { 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' }],
  [`${META}ObjectMeta`, 'managedFields', ATOMIC],
  [`${META}ObjectMeta`, 'labels', NONE],
  [`${META}ObjectMeta`, 'annotations', NONE],
  [`${META}ObjectMeta`, 'creationTimestamp', NONE],
  [`${META}OwnerReference`, '', STRUCT_ATOMIC],
  [`${META}ManagedFieldsEntry`, '', NONE],
  [`${META}FieldsV1`, '', PRESERVE],
  [`${META}LabelSelector`, '', STRUCT_ATOMIC],
  [`${META}LabelSelector`, 'matchExpressions', ATOMIC],
  [`${META}LabelSelector`, 'matchLabels', NONE],
  [`${META}LabelSelectorRequirement`, 'values', ATOMIC],
  [`${META}Status`, 'details', ATOMIC],
  [`${META}StatusDetails`, 'causes', ATOMIC],
  [`${META}DeleteOptions`, 'dryRun', ATOMIC],
  [`${META}Condition`, '', NONE],
  ['io.k8s.apimachinery.pkg.util.intstr.IntOrString', '', { 'x-kubernetes-int-or-string': true }],
  ['io.k8s.apimachinery.pkg.api.resource.Quantity', '', NONE],
  // core/v1
  [`${CORE}Namespace`, 'spec.finalizers', ATOMIC],
  [`${CORE}Namespace`, 'status.conditions', mergedMap('type')],
  [`${CORE}Namespace`, 'metadata.ownerReferences', mergedMap('uid')],
  [`${CORE}ConfigMap`, 'data', NONE],
  [`${CORE}ConfigMap`, 'binaryData', NONE],
  [`${CORE}Secret`, 'data', NONE],
  [`${CORE}Secret`, 'stringData', NONE],
  [`${CORE}ServiceAccount`, 'secrets', mergedMap('name')],
  [`${CORE}ServiceAccount`, 'imagePullSecrets', ATOMIC],
  [`${CORE}ServiceAccount`, 'imagePullSecrets[]', STRUCT_ATOMIC],
  [`${CORE}ObjectReference`, '', STRUCT_ATOMIC],
  [`${CORE}LocalObjectReference`, '', STRUCT_ATOMIC],
  [`${CORE}Event`, 'involvedObject', NONE],
  [`${CORE}Event`, 'series', NONE],
  [`${CORE}Event`, 'source', NONE],
  [`${CORE}EventSource`, '', NONE],
  [`${CORE}ResourceQuota`, 'spec', NONE],
  [`${CORE}ResourceQuotaSpec`, 'hard', NONE],
  [`${CORE}ResourceQuotaSpec`, 'scopes', ATOMIC],
  [`${CORE}ResourceQuotaSpec`, 'scopeSelector', NONE],
  [`${CORE}ScopeSelector`, '', STRUCT_ATOMIC],
  [`${CORE}ScopeSelector`, 'matchExpressions', ATOMIC],
  [`${CORE}ScopedResourceSelectorRequirement`, '', NONE],
  [`${CORE}ScopedResourceSelectorRequirement`, 'values', ATOMIC],
  [`${CORE}ResourceQuotaStatus`, 'hard', NONE],
  [`${CORE}ResourceQuotaStatus`, 'used', NONE],
  [`${CORE}LimitRange`, 'spec', NONE],
  [`${CORE}LimitRangeSpec`, 'limits', ATOMIC],
  [`${CORE}LimitRangeItem`, '', NONE],
  [`${CORE}LimitRangeItem`, 'max', NONE],
  [`${CORE}LimitRangeItem`, 'maxLimitRequestRatio', NONE],
  // events.k8s.io/v1
  ['io.k8s.api.events.v1.Event', 'regarding', NONE],
  ['io.k8s.api.events.v1.Event', 'series', NONE],
  ['io.k8s.api.events.v1.EventSeries', '', NONE],
  // certificates.k8s.io/v1
  [`${CERTS}CertificateSigningRequest`, '', NONE],
  [`${CERTS}CertificateSigningRequest`, 'spec', NONE],
  [`${CERTS}CertificateSigningRequestSpec`, 'request', ATOMIC],
  [`${CERTS}CertificateSigningRequestSpec`, 'usages', ATOMIC],
  [`${CERTS}CertificateSigningRequestSpec`, 'groups', ATOMIC],
  [`${CERTS}CertificateSigningRequestSpec`, 'extra', NONE],
  [`${CERTS}CertificateSigningRequestStatus`, 'conditions', { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }],
  [`${CERTS}CertificateSigningRequestStatus`, 'certificate', ATOMIC],
  [`${CERTS}CertificateSigningRequestCondition`, '', NONE],
  // coordination.k8s.io/v1
  ['io.k8s.api.coordination.v1.Lease', 'spec', NONE],
  ['io.k8s.api.coordination.v1.LeaseSpec', '', NONE],
  // rbac.authorization.k8s.io/v1
  [`${RBAC}Role`, 'rules', ATOMIC],
  [`${RBAC}ClusterRole`, 'rules', ATOMIC],
  [`${RBAC}ClusterRole`, 'aggregationRule.clusterRoleSelectors', ATOMIC],
  [`${RBAC}RoleBinding`, 'subjects', ATOMIC],
  [`${RBAC}RoleBinding`, 'roleRef', NONE],
  [`${RBAC}ClusterRoleBinding`, 'subjects', ATOMIC],
  [`${RBAC}PolicyRule`, 'apiGroups', ATOMIC],
  [`${RBAC}PolicyRule`, 'resources', ATOMIC],
  [`${RBAC}PolicyRule`, 'resourceNames', ATOMIC],
  [`${RBAC}PolicyRule`, 'verbs', ATOMIC],
  [`${RBAC}PolicyRule`, 'nonResourceURLs', ATOMIC],
  [`${RBAC}PolicyRule`, '', NONE],
  [`${RBAC}Subject`, '', STRUCT_ATOMIC],
  [`${RBAC}RoleRef`, '', STRUCT_ATOMIC],
  // authorization.k8s.io/v1
  [`${AUTHZ}SubjectAccessReview`, 'spec.groups', ATOMIC],
  [`${AUTHZ}SubjectAccessReview`, 'spec.extra', NONE],
  [`${AUTHZ}SubjectAccessReview`, 'spec.resourceAttributes.fieldSelector.requirements', ATOMIC],
  [`${AUTHZ}SubjectAccessReview`, 'spec.resourceAttributes.labelSelector.requirements', ATOMIC],
  [`${AUTHZ}FieldSelectorRequirement`, 'values', ATOMIC],
  [`${AUTHZ}SelfSubjectRulesReview`, 'status.resourceRules', ATOMIC],
  [`${AUTHZ}SelfSubjectRulesReview`, 'status.nonResourceRules', ATOMIC],
  [`${AUTHZ}ResourceRule`, 'verbs', ATOMIC],
  [`${AUTHZ}NonResourceRule`, 'nonResourceURLs', ATOMIC],
  // authentication.k8s.io/v1
  [`${AUTHN}TokenReview`, 'spec.audiences', ATOMIC],
  [`${AUTHN}TokenReview`, 'status.audiences', ATOMIC],
  [`${AUTHN}TokenReview`, 'status.user.groups', ATOMIC],
  [`${AUTHN}UserInfo`, 'extra', NONE],
  [`${AUTHN}SelfSubjectReview`, 'status.userInfo', NONE],
  // admissionregistration.k8s.io/v1
  [`${ADMISSION}MutatingWebhookConfiguration`, 'webhooks', mergedMap('name')],
  [`${ADMISSION}ValidatingWebhookConfiguration`, 'webhooks', mergedMap('name')],
  [`${ADMISSION}MutatingWebhookConfiguration`, 'webhooks[].matchConditions', mergedMap('name')],
  [`${ADMISSION}ValidatingWebhookConfiguration`, 'webhooks[].matchConditions', mergedMap('name')],
  [`${ADMISSION}MutatingWebhookConfiguration`, 'webhooks[].rules', ATOMIC],
  [`${ADMISSION}ValidatingWebhookConfiguration`, 'webhooks[].rules', ATOMIC],
  [`${ADMISSION}MutatingWebhookConfiguration`, 'webhooks[].admissionReviewVersions', ATOMIC],
  [`${ADMISSION}ValidatingWebhookConfiguration`, 'webhooks[].admissionReviewVersions', ATOMIC],
  [`${ADMISSION}MutatingWebhookConfiguration`, 'webhooks[].rules[].operations', ATOMIC],
  [`${ADMISSION}RuleWithOperations`, 'apiGroups', ATOMIC],
  [`${ADMISSION}RuleWithOperations`, 'apiVersions', ATOMIC],
  [`${ADMISSION}RuleWithOperations`, 'resources', ATOMIC],
  [`${ADMISSION}RuleWithOperations`, '', NONE],
  [`${ADMISSION}MutatingWebhook`, 'namespaceSelector', NONE],
  [`${ADMISSION}WebhookClientConfig`, '', NONE],
  // apiextensions.k8s.io/v1
  [`${APIEXT}CustomResourceDefinition`, 'spec.versions', ATOMIC],
  [`${APIEXT}CustomResourceDefinition`, 'spec.names.categories', ATOMIC],
  [`${APIEXT}CustomResourceDefinition`, 'spec.names.shortNames', ATOMIC],
  [`${APIEXT}CustomResourceDefinition`, 'spec.versions[].additionalPrinterColumns', ATOMIC],
  [`${APIEXT}CustomResourceDefinition`, 'spec.versions[].selectableFields', ATOMIC],
  [`${APIEXT}CustomResourceDefinition`, 'spec.conversion.webhook.conversionReviewVersions', ATOMIC],
  [
    `${APIEXT}CustomResourceDefinition`,
    'status.conditions',
    { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
  ],
  [`${APIEXT}CustomResourceDefinition`, 'status.storedVersions', ATOMIC],
  [`${APIEXT}JSONSchemaProps`, 'x-kubernetes-validations', mergedMap('rule')],
  [`${APIEXT}JSONSchemaProps`, 'required', ATOMIC],
  [`${APIEXT}JSONSchemaProps`, 'enum', ATOMIC],
  [`${APIEXT}JSONSchemaProps`, 'allOf', ATOMIC],
  [`${APIEXT}JSONSchemaProps`, 'anyOf', ATOMIC],
  [`${APIEXT}JSONSchemaProps`, 'oneOf', ATOMIC],
  [`${APIEXT}JSONSchemaProps`, 'x-kubernetes-list-map-keys', ATOMIC],
  [`${APIEXT}JSONSchemaProps`, 'properties', NONE],
  [`${APIEXT}JSONSchemaProps`, 'x-kubernetes-preserve-unknown-fields', NONE],
  [`${APIEXT}JSON`, '', PRESERVE],
  [`${APIEXT}JSONSchemaPropsOrArray`, '', PRESERVE],
  [`${APIEXT}JSONSchemaPropsOrBool`, '', PRESERVE],
  [`${APIEXT}JSONSchemaPropsOrStringArray`, '', PRESERVE],
  [`${APIEXT}CustomResourceSubresourceStatus`, '', NONE],
];

describe('merge and apply extensions', () => {
  it.each(PINS)('%s %s', (schemaName, path, expected) => {
    expect(extensionsOf(nodeAt(schemaName, path))).toEqual(expected);
  });
});

describe('nodeAt', () => {
  it.each([
    ['an unknown definition', 'io.k8s.api.core.v1.Nope', '', 'no schema io.k8s.api.core.v1.Nope'],
    ['an unknown property', `${CORE}ConfigMap`, 'spec', `${CORE}ConfigMap: no property spec in spec`],
    ['items of a non-array', `${CORE}ConfigMap`, 'data[]', `${CORE}ConfigMap: data is not an array`],
  ])('rejects %s', (_, schemaName, path, message) => {
    expect(() => nodeAt(schemaName, path)).toThrow(new Error(message));
  });
});
