/**
 * The Go types of the built-in kinds' fields where the OpenAPI schema does not
 * say them: named string types (`v1.SecretType`, `types.UID`, …) and named
 * slices (`v1.ExtraValue`). Upstream names these types in the errors of
 * decoding a body (`json: cannot unmarshal number into Go struct field
 * Secret.type of type v1.SecretType`). Keyed by definition name and property;
 * the value is the field's Go type as `reflect.Type.String()` prints it.
 * Everything else follows from the schema (see `rest/go-decode.ts`).
 */
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const CORE = 'io.k8s.api.core.v1.';
const AUTHZ = 'io.k8s.api.authorization.v1.';
const ADMISSION = 'io.k8s.api.admissionregistration.v1.';
const CRD = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.';

export const GO_FIELD_TYPES: Readonly<Record<string, string>> = {
  [`${META}ObjectMeta.uid`]: 'types.UID',
  [`${META}OwnerReference.uid`]: 'types.UID',
  [`${META}ManagedFieldsEntry.operation`]: 'v1.ManagedFieldsOperationType',
  [`${META}LabelSelectorRequirement.operator`]: 'v1.LabelSelectorOperator',
  [`${META}Condition.status`]: 'v1.ConditionStatus',
  [`${CORE}ObjectReference.uid`]: 'types.UID',
  [`${CORE}NamespaceSpec.finalizers`]: '[]v1.FinalizerName',
  [`${CORE}NamespaceStatus.phase`]: 'v1.NamespacePhase',
  [`${CORE}NamespaceCondition.type`]: 'v1.NamespaceConditionType',
  [`${CORE}NamespaceCondition.status`]: 'v1.ConditionStatus',
  [`${CORE}Secret.type`]: 'v1.SecretType',
  [`${CORE}ResourceQuotaSpec.hard`]: 'v1.ResourceList',
  [`${CORE}ResourceQuotaSpec.scopes`]: '[]v1.ResourceQuotaScope',
  [`${CORE}ScopedResourceSelectorRequirement.scopeName`]: 'v1.ResourceQuotaScope',
  [`${CORE}ScopedResourceSelectorRequirement.operator`]: 'v1.ScopeSelectorOperator',
  [`${CORE}ResourceQuotaStatus.hard`]: 'v1.ResourceList',
  [`${CORE}ResourceQuotaStatus.used`]: 'v1.ResourceList',
  [`${CORE}LimitRangeItem.type`]: 'v1.LimitType',
  [`${CORE}LimitRangeItem.max`]: 'v1.ResourceList',
  [`${CORE}LimitRangeItem.min`]: 'v1.ResourceList',
  [`${CORE}LimitRangeItem.default`]: 'v1.ResourceList',
  [`${CORE}LimitRangeItem.defaultRequest`]: 'v1.ResourceList',
  [`${CORE}LimitRangeItem.maxLimitRequestRatio`]: 'v1.ResourceList',
  ['io.k8s.api.coordination.v1.LeaseSpec.strategy']: 'v1.CoordinatedLeaseStrategy',
  ['io.k8s.api.certificates.v1.CertificateSigningRequestSpec.usages']: '[]v1.KeyUsage',
  ['io.k8s.api.certificates.v1.CertificateSigningRequestSpec.extra']: 'map[string]v1.ExtraValue',
  ['io.k8s.api.certificates.v1.CertificateSigningRequestCondition.type']: 'v1.RequestConditionType',
  ['io.k8s.api.certificates.v1.CertificateSigningRequestCondition.status']: 'v1.ConditionStatus',
  [`${AUTHZ}SubjectAccessReviewSpec.extra`]: 'map[string]v1.ExtraValue',
  [`${AUTHZ}FieldSelectorRequirement.operator`]: 'v1.FieldSelectorOperator',
  ['io.k8s.api.authentication.v1.UserInfo.extra']: 'map[string]v1.ExtraValue',
  [`${ADMISSION}MutatingWebhook.failurePolicy`]: 'v1.FailurePolicyType',
  [`${ADMISSION}MutatingWebhook.matchPolicy`]: 'v1.MatchPolicyType',
  [`${ADMISSION}MutatingWebhook.sideEffects`]: 'v1.SideEffectClass',
  [`${ADMISSION}MutatingWebhook.reinvocationPolicy`]: 'v1.ReinvocationPolicyType',
  [`${ADMISSION}ValidatingWebhook.failurePolicy`]: 'v1.FailurePolicyType',
  [`${ADMISSION}ValidatingWebhook.matchPolicy`]: 'v1.MatchPolicyType',
  [`${ADMISSION}ValidatingWebhook.sideEffects`]: 'v1.SideEffectClass',
  [`${ADMISSION}RuleWithOperations.operations`]: '[]v1.OperationType',
  [`${ADMISSION}RuleWithOperations.scope`]: 'v1.ScopeType',
  [`${CRD}CustomResourceDefinitionSpec.scope`]: 'v1.ResourceScope',
  [`${CRD}CustomResourceDefinitionCondition.type`]: 'v1.CustomResourceDefinitionConditionType',
  [`${CRD}CustomResourceDefinitionCondition.status`]: 'v1.ConditionStatus',
  [`${CRD}CustomResourceConversion.strategy`]: 'v1.ConversionStrategyType',
  [`${CRD}ValidationRule.reason`]: 'v1.FieldValueErrorReason',
};

/**
 * Definitions whose Go types decode themselves (`UnmarshalJSON`) and accept
 * any JSON, or whose own rules this server does not model: their content is
 * left as it is.
 */
export const GO_OPAQUE_TYPES: ReadonlySet<string> = new Set([
  `${META}FieldsV1`,
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  `${CRD}JSON`,
  `${CRD}JSONSchemaPropsOrArray`,
  `${CRD}JSONSchemaPropsOrBool`,
  `${CRD}JSONSchemaPropsOrStringArray`,
]);

/** Definitions decoded by `metav1.Time` / `metav1.MicroTime`'s own `UnmarshalJSON`. */
export const GO_TIME_TYPE = `${META}Time`;
export const GO_MICRO_TIME_TYPE = `${META}MicroTime`;
