/** admissionregistration.k8s.io/v1 schemas: webhook configurations, validating admission policies and their bindings. */
import { META, STRING_ITEM, arrayOf, atomicList, atomicStrings, bytes, int32, int64, kind, mapList, object, ref, refTo, str } from './builders';
import type { OpenAPISchema } from './types';

const ADMISSION = 'io.k8s.api.admissionregistration.v1.';
const GROUP = 'admissionregistration.k8s.io';

/** Fields shared by mutating and validating webhooks. */
const webhookProperties: Readonly<Record<string, OpenAPISchema>> = {
  admissionReviewVersions: atomicStrings(
    'AdmissionReview versions the webhook accepts, most preferred first. The server uses the first one it supports and fails the call when there is none.',
  ),
  clientConfig: ref(`${ADMISSION}WebhookClientConfig`, 'How to connect to the webhook. Required.'),
  failurePolicy: str('What happens when calling the webhook fails: Ignore or Fail. Defaults to Fail.'),
  matchConditions: mapList(
    refTo(`${ADMISSION}MatchCondition`),
    ['name'],
    'CEL conditions (at most 64) that must all be true for a request already matched by rules and selectors to be sent. Any false skips the webhook; an error follows failurePolicy.',
    { patchMergeKey: 'name' },
  ),
  matchPolicy: str(
    'Exact or Equivalent: whether a request for a matched resource through another group or version is sent too (converted to the matched version). Defaults to Equivalent.',
  ),
  name: str('Fully qualified name of the webhook, such as imagepolicy.example.com. Required.'),
  namespaceSelector: ref(
    `${META}LabelSelector`,
    'Sends only requests whose namespace has matching labels (for a Namespace, its own labels). Other cluster-scoped objects always match. Defaults to matching everything.',
  ),
  objectSelector: ref(
    `${META}LabelSelector`,
    'Sends only requests whose old or new object has matching labels. Defaults to matching everything.',
  ),
  rules: atomicList(
    refTo(`${ADMISSION}RuleWithOperations`),
    'Operations and resources the webhook is called for; a request matching any rule is sent. Webhook configurations themselves are never sent to webhooks.',
  ),
  sideEffects: str(
    'None or NoneOnDryRun: whether calling the webhook has effects outside the admitted object. Dry-run requests are rejected for webhooks with side effects.',
  ),
  timeoutSeconds: int32('Seconds to wait for the webhook, between 1 and 30; afterwards failurePolicy applies. Defaults to 10.'),
};

const webhookRequired = ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'];

/** The fields of a RuleWithOperations (its inline Rule included), shared with NamedRuleWithOperations. */
const ruleProperties: Readonly<Record<string, OpenAPISchema>> = {
  apiGroups: atomicStrings('API groups of the resources. "*" means all groups and must then be the only entry.'),
  apiVersions: atomicStrings('API versions of the resources. "*" means all versions and must then be the only entry.'),
  operations: atomicStrings(
    'CREATE, UPDATE, DELETE or CONNECT; "*" means all current and future operations and must then be the only entry.',
  ),
  resources: atomicStrings(
    'Resources such as pods, pods/log, pods/* or */scale. "*" means all resources without subresources, "*/*" everything.',
  ),
  scope: str('Which resources match by scope: Cluster, Namespaced or "*" (any, the default). Subresources follow their parent.'),
};

/** admissionregistration.k8s.io/v1 schemas, keyed by upstream definition name. */
export const admissionregistrationSchemas: Readonly<Record<string, OpenAPISchema>> = {
  [`${ADMISSION}MutatingWebhookConfiguration`]: kind(
    GROUP,
    'v1',
    'MutatingWebhookConfiguration',
    'Admission webhooks that may change objects before they are stored, and the requests each receives.',
    {
      webhooks: mapList(
        refTo(`${ADMISSION}MutatingWebhook`),
        ['name'],
        'The webhooks and the operations and resources they apply to.',
        { patchMergeKey: 'name' },
      ),
    },
  ),

  [`${ADMISSION}ValidatingWebhookConfiguration`]: kind(
    GROUP,
    'v1',
    'ValidatingWebhookConfiguration',
    'Admission webhooks that accept or reject requests without changing objects, and the requests each receives.',
    {
      webhooks: mapList(
        refTo(`${ADMISSION}ValidatingWebhook`),
        ['name'],
        'The webhooks and the operations and resources they apply to.',
        { patchMergeKey: 'name' },
      ),
    },
  ),

  [`${ADMISSION}MutatingWebhook`]: object(
    'One mutating admission webhook: how to call it and which requests it receives.',
    {
      ...webhookProperties,
      reinvocationPolicy: str(
        'Never or IfNeeded: whether the webhook is called again when later admission plugins change the object. IfNeeded webhooks must be idempotent. Defaults to Never.',
      ),
    },
    { required: webhookRequired },
  ),

  [`${ADMISSION}ValidatingWebhook`]: object(
    'One validating admission webhook: how to call it and which requests it receives.',
    webhookProperties,
    { required: webhookRequired },
  ),

  [`${ADMISSION}RuleWithOperations`]: object('Operations on resources that a webhook is called for; every combination should be valid.', ruleProperties),

  [`${ADMISSION}WebhookClientConfig`]: object('How the API server connects to a webhook over TLS.', {
    caBundle: bytes('PEM-encoded CA bundle used to verify the certificate of the webhook. Defaults to the system trust roots.'),
    service: ref(
      `${ADMISSION}ServiceReference`,
      'The in-cluster service hosting the webhook. Exactly one of service and url must be set.',
    ),
    url: str(
      'Location of the webhook as an https:// URL, without user info, query or fragment. Exactly one of url and service must be set.',
    ),
  }),

  [`${ADMISSION}ServiceReference`]: object(
    'The service hosting a webhook.',
    {
      name: str('Name of the service. Required.'),
      namespace: str('Namespace of the service. Required.'),
      path: str('Optional URL path sent with every request to the service.'),
      port: int32('Port of the service, 1 to 65535. Defaults to 443.'),
    },
    { required: ['namespace', 'name'] },
  ),

  [`${ADMISSION}MatchCondition`]: object(
    'A CEL condition deciding whether a request is sent to a webhook.',
    {
      expression: str(
        'CEL expression that must evaluate to a bool. It can use object, oldObject, request and authorizer. Required.',
      ),
      name: str(
        'Identifier of the condition, used to merge lists and in logs. A qualified name such as my-check or example.com/my-check. Required.',
      ),
    },
    { required: ['name', 'expression'] },
  ),

  [`${ADMISSION}ValidatingAdmissionPolicy`]: kind(
    GROUP,
    'v1',
    'ValidatingAdmissionPolicy',
    'A set of CEL validations that accept or reject requests without changing objects, applied where a ValidatingAdmissionPolicyBinding binds it.',
    {
      spec: ref(`${ADMISSION}ValidatingAdmissionPolicySpec`, 'What the policy matches and the validations it runs.'),
      status: ref(
        `${ADMISSION}ValidatingAdmissionPolicyStatus`,
        'Type checking results and conditions of the policy, written by the system through the status subresource. Read-only.',
      ),
    },
  ),

  [`${ADMISSION}ValidatingAdmissionPolicySpec`]: object('What a validating admission policy matches and the CEL expressions it evaluates.', {
    auditAnnotations: atomicList(
      refTo(`${ADMISSION}AuditAnnotation`),
      'CEL expressions whose values become audit annotations of the request. At least one of validations and auditAnnotations is required.',
    ),
    failurePolicy: str(
      'What happens when the policy cannot be evaluated (compile or runtime error, misconfigured binding or parameter): Ignore or Fail. Defaults to Fail.',
    ),
    matchConditions: mapList(
      refTo(`${ADMISSION}MatchCondition`),
      ['name'],
      'CEL conditions (at most 64) that must all be true for a request already matched by matchConstraints to be validated. They may use params. Any false skips the policy; an error follows failurePolicy.',
      { patchMergeKey: 'name' },
    ),
    matchConstraints: ref(
      `${ADMISSION}MatchResources`,
      'The requests the policy applies to; a request must match all constraints. Policies and their bindings are never matched. Required, with at least one resource rule.',
    ),
    paramKind: ref(
      `${ADMISSION}ParamKind`,
      'The kind of the parameter objects bindings refer to; without it the policy takes no parameters and `params` is not declared.',
    ),
    validations: atomicList(
      refTo(`${ADMISSION}Validation`),
      'The CEL validations of the policy. At least one of validations and auditAnnotations is required.',
    ),
    variables: mapList(
      refTo(`${ADMISSION}Variable`),
      ['name'],
      'Named CEL expressions available as `variables.<name>` to the validations and audit annotations (not to matchConditions). A variable may use those listed before it.',
      { patchMergeKey: 'name' },
    ),
  }),

  [`${ADMISSION}ValidatingAdmissionPolicyStatus`]: object('The observed state of a validating admission policy.', {
    conditions: mapList(refTo(`${META}Condition`), ['type'], 'The latest observations of the state of the policy.'),
    observedGeneration: int64('The metadata.generation the status was computed from.'),
    typeChecking: ref(
      `${ADMISSION}TypeChecking`,
      'The results of type checking the expressions against paramKind and the matched resources; present once checking is done.',
    ),
  }),

  [`${ADMISSION}TypeChecking`]: object('The results of type checking the expressions of a policy.', {
    expressionWarnings: atomicList(refTo(`${ADMISSION}ExpressionWarning`), 'The type checking warnings, one per expression.'),
  }),

  [`${ADMISSION}ExpressionWarning`]: object(
    'A type checking warning about one expression of a policy.',
    {
      fieldRef: str('Path of the field holding the expression, such as spec.validations[0].expression.'),
      warning: str('The warning in readable form: each line names the type checked against and the error the compiler reported.'),
    },
    { required: ['fieldRef', 'warning'] },
  ),

  [`${ADMISSION}ParamKind`]: object(
    'The group version and kind of the parameter objects of a policy.',
    {
      apiVersion: str('API group and version of the parameter kind, as group/version (or just the version for the core group). Required.'),
      kind: str('Kind of the parameter objects. Required.'),
    },
    { mapType: 'atomic' },
  ),

  [`${ADMISSION}MatchResources`]: object(
    'Which requests a policy or binding applies to, by resource, namespace and object labels; exclude rules win over resource rules.',
    {
      excludeResourceRules: atomicList(
        refTo(`${ADMISSION}NamedRuleWithOperations`),
        'Operations and resources not matched even when a resource rule matches them.',
      ),
      matchPolicy: str(
        'Exact or Equivalent: whether a request for a matched resource through another group or version matches too (converted to the matched version). Defaults to Equivalent.',
      ),
      namespaceSelector: ref(
        `${META}LabelSelector`,
        'Matches only requests whose namespace has matching labels (for a Namespace, its own labels). Other cluster-scoped objects always match. Defaults to matching everything.',
      ),
      objectSelector: ref(
        `${META}LabelSelector`,
        'Matches only requests whose old or new object has matching labels. Defaults to matching everything.',
      ),
      resourceRules: atomicList(
        refTo(`${ADMISSION}NamedRuleWithOperations`),
        'Operations and resources matched; a request matching any rule matches. A policy needs at least one; a binding without them does not narrow the policy.',
      ),
    },
    { mapType: 'atomic' },
  ),

  [`${ADMISSION}NamedRuleWithOperations`]: object(
    'Operations on resources, optionally limited to objects of given names.',
    {
      ...ruleProperties,
      resourceNames: atomicStrings('Names of the objects the rule applies to; empty means every name.'),
    },
    { mapType: 'atomic' },
  ),

  [`${ADMISSION}Validation`]: object(
    'One CEL validation of a policy.',
    {
      expression: str(
        'CEL expression that must evaluate to true for the request to pass. It can use object, oldObject, request, params, namespaceObject, variables and authorizer. Required.',
      ),
      message: str('Message returned when the validation fails; no line breaks. Defaults to "failed expression: <expression>".'),
      messageExpression: str(
        'CEL expression producing the failure message as a string; used instead of message when it evaluates to a non-empty single line. Cannot use authorizer.',
      ),
      reason: str(
        'Machine-readable reason, and with it the HTTP code, returned when this is the first failing validation: Unauthorized, Forbidden, Invalid or RequestEntityTooLarge. Defaults to Invalid.',
      ),
    },
    { required: ['expression'] },
  ),

  [`${ADMISSION}Variable`]: object(
    'A named CEL expression that other expressions of a policy can use as variables.<name>.',
    {
      expression: str('CEL expression computing the value of the variable; it sees what validations see. Required.'),
      name: str('Name of the variable: a CEL identifier, unique in the policy. Required.'),
    },
    { required: ['name', 'expression'], mapType: 'atomic' },
  ),

  [`${ADMISSION}AuditAnnotation`]: object(
    'How a policy adds an annotation to the audit event of a request.',
    {
      key: str(
        'Key of the annotation, unique in the policy: a qualified name of at most 63 bytes. The event carries it as "<policy name>/<key>". Required.',
      ),
      valueExpression: str(
        'CEL expression (at most 5 KiB) producing the annotation value as a string or null; null or an empty string leaves the annotation out. Required.',
      ),
    },
    { required: ['key', 'valueExpression'] },
  ),

  [`${ADMISSION}ValidatingAdmissionPolicyBinding`]: kind(
    GROUP,
    'v1',
    'ValidatingAdmissionPolicyBinding',
    'Applies a ValidatingAdmissionPolicy to matching requests, with parameters and the actions taken when a validation fails.',
    {
      spec: ref(`${ADMISSION}ValidatingAdmissionPolicyBindingSpec`, 'The policy bound, its parameters, scope and enforcement.'),
    },
  ),

  [`${ADMISSION}ValidatingAdmissionPolicyBindingSpec`]: object('The policy a binding applies, where, with which parameters and how failures are enforced.', {
    matchResources: ref(
      `${ADMISSION}MatchResources`,
      'Narrows the requests the policy matches for this binding; without resource rules it does not constrain resources. Unset means every request the policy matches.',
    ),
    paramRef: ref(
      `${ADMISSION}ParamRef`,
      'The parameter objects, of the policy paramKind, the expressions see as params. Ignored when the policy has no paramKind.',
    ),
    policyName: str('Name of the ValidatingAdmissionPolicy bound. A binding to a policy that does not exist is ignored. Required.'),
    validationActions: arrayOf(
      STRING_ITEM,
      'How failed validations are enforced, as a set: Deny (reject the request), Warn (a warning to the client) and Audit (an audit annotation). Deny and Warn may not be combined. Required.',
      { 'x-kubernetes-list-type': 'set' },
    ),
  }),

  [`${ADMISSION}ParamRef`]: object(
    'How a binding finds its parameter objects.',
    {
      name: str('Name of the one parameter object. Exactly one of name and selector must be set.'),
      namespace: str(
        'Namespace of the parameter objects; must be unset for a cluster-scoped paramKind. Unset with a namespaced paramKind means the namespace of the request.',
      ),
      parameterNotFoundAction: str(
        'Allow or Deny: whether a request passes when no parameter object is found, or is subject to the failurePolicy of the policy. Required.',
      ),
      selector: ref(
        `${META}LabelSelector`,
        'Selects every parameter object with matching labels ({} selects all); each is evaluated and the results are ANDed. Exactly one of name and selector must be set.',
      ),
    },
    { mapType: 'atomic' },
  ),
};
