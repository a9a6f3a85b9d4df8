export { ApiServer, type ApiServerOptions, type ServiceAccountTokenOptions, type InterceptedRequest, type RequestInterceptor, KUBERNETES_VERSION, forbidden } from './server/api-server';
export { type RequestInfo, type ResourceRequestInfo, type NonResourceRequestInfo, parseRequestInfo } from './request/request-info';
export { type ApiRequest, type ApiResponse, type ApiBodyResponse, type ApiStreamResponse, isStreamResponse, jsonResponse, textResponse } from './server/api-request';
export { SecureServer, type SecureServingOptions, type RequestHandler, BodyTooLargeError } from './server/node-server';
export { LoopbackClient, LOOPBACK_USER, type ApiHandler } from './server/loopback';
export { type Logger, silentLogger } from './server/logger';
export { type ClusterResolver, type ClusterResolution, nameOnlyResolver } from './server/cluster-resolver';
export {
  type Authenticator,
  type AuthenticationRequest,
  type AuthenticationResult,
  TokenAuthenticator,
  ClientCertificateAuthenticator,
  RequestHeaderAuthenticator,
  type RequestHeaderOptions,
  UnionAuthenticator,
  parseTokenAuthFile,
  parseCertificateBundle,
} from './auth/authentication';
export {
  type UserInfo,
  type AuthorizationAttributes,
  type ResourceAttributes,
  type NonResourceAttributes,
  type Authorizer,
  type Decision,
  type DecisionKind,
  ALLOW,
  DENY,
  NO_OPINION,
  SYSTEM_MASTERS,
  SYSTEM_AUTHENTICATED,
  SYSTEM_UNAUTHENTICATED,
  ANONYMOUS_USER,
  KCP_ADMIN_GROUP,
} from './auth/types';
export {
  ServiceAccountTokenIssuer,
  ServiceAccountTokenAuthenticator,
  type ServiceAccountTokenAuthenticatorOptions,
  type ServiceAccountTokenClaims,
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  SERVICE_ACCOUNT_CLUSTER_EXTRA,
  parseVerificationKeys,
  serviceAccountUsername,
} from './auth/service-account-tokens';
export { type PolicyRule, type Subject, type RoleRef, type RbacSource, RbacAuthorizer, ruleAllows, rulesCover } from './auth/rbac';
export { bootstrapPolicy } from './auth/bootstrap-policy';
export { type AdmissionPlugin, type AdmissionAttributes, type AdmissionOperation, AdmissionChain } from './admission/types';
export { namespaceLifecycle, IMMORTAL_NAMESPACES } from './admission/namespace-lifecycle';
export { rbacEscalation, type EscalationAuthorizer } from './admission/rbac-escalation';
export type {
  Obj,
  ResourceDefinition,
  SubresourceDefinition,
  StorageLayout,
  Strategy,
  OperationContext,
  DeletionStrategy,
  TableColumn,
  TableDefinition,
} from './registry/types';
export { ResourceRegistry, type DynamicResourceProvider } from './registry/resource-registry';
export type { ServedResource, RestScope, FieldManager } from './rest/scope';
export { WatchCache, type CachedObject, type CacheEvent, type CacheWatcher, type CacheWatcherStopReason } from './watch/watch-cache';
export { defineBuiltin, builtinPrefix, ALL_VERBS, STATUS_SUBRESOURCE, storageVersionHash, type BuiltinSpec } from './builtin/define';
export { builtinSchemas, schemaNameForKind, type OpenAPISchema } from './builtin/schemas';
export { patchMetaFor, pruneUnknownFields, resolveNode, type SchemaResolver } from './openapi/structural';
export { unstructuredKind } from './rest/go-decode';
export { columns as tableColumns } from './rest/table';
export { KeyQueue } from './controllers/queue';
export { resourcePath } from './controllers/namespace-controller';
export { generateCA, issueCertificate, certificateIsUsable, type CertificateAndKey, type CertificateOptions } from './pki/pki';
export { decodeProtobufObject, isProtobufDecodeError, ProtobufDecodeError, supportedProtobufKinds } from './protobuf';
export * from './crd';
export * from './fieldmanager';
