import {
  type StatusError,
  isStatusError,
  newBadRequest,
  parseFieldSelector,
  newForbidden,
  newGenericServerResponse,
  newMethodNotSupported,
  newNotFound,
  newRequestEntityTooLargeError,
  newUnauthorized,
  toInternalError,
  newTooManyRequests,
} from '@kcp-ts/apimachinery';
import { type ClusterName, isValidClusterPath, type ClusterPath } from '@kcp-ts/logicalcluster';
import type { Store } from '@kcp-ts/storage';
import { namespaceLifecycle } from '../admission/namespace-lifecycle';
import { rbacEscalation } from '../admission/rbac-escalation';
import { AdmissionChain, type AdmissionPlugin } from '../admission/types';
import { GarbageCollector } from '../controllers/garbage-collector';
import { NamespaceController } from '../controllers/namespace-controller';
import { RbacAggregationController } from '../controllers/rbac-aggregation-controller';
import { RootCAPublisher } from '../controllers/root-ca-publisher';
import { ServiceAccountController } from '../controllers/service-account-controller';
import { ServiceAccountTokenController } from '../controllers/service-account-token-controller';
import { CustomResourceDefinitionController, CustomResourceDefinitionProvider, SchemaCache, customResourceDefinitionResource, pruneCustomResourceFields } from '../crd';
import { LoopbackClient } from './loopback';
import type { KeyObject } from 'node:crypto';
import { type AuthenticationRequest, type AuthenticationResult, type Authenticator, UnionAuthenticator } from '../auth/authentication';
import {
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  SERVICE_ACCOUNT_CLUSTER_EXTRA,
  ServiceAccountTokenAuthenticator,
  ServiceAccountTokenIssuer,
  foreignServiceAccountUser,
  parseServiceAccountUsername,
} from '../auth/service-account-tokens';
import { withTokenSubresource } from '../builtin/service-account-token';
import { ImpersonationForbidden, hasImpersonationHeaders, impersonatedUser } from '../auth/impersonation';
import { bootstrapPolicy } from '../auth/bootstrap-policy';
import { RbacAuthorizer, type RbacSource } from '../auth/rbac';
import { type AuthorizationAttributes, type Authorizer, type Decision, SYSTEM_MASTERS, type UserInfo } from '../auth/types';
import { coreResources } from '../builtin/core';
import { miscResources } from '../builtin/misc';
import { quotaResources } from '../builtin/quota';
import { certificateResources } from '../builtin/certificates';
import { certificateAdmission } from '../admission/certificates';
import { policyParameterAccess } from '../admission/policy/parameter-access';
import { validatingAdmissionPolicy } from '../admission/policy/validating-admission-policy';
import { resourceQuotaAdmission } from '../quota/resource-quota-admission';
import { ResourceQuotaController } from '../quota/resource-quota-controller';
import { ValidatingAdmissionPolicyStatusController } from '../controllers/validating-admission-policy-status-controller';
import { rbacResources } from '../builtin/rbac';
import { type AccessReviewer, reviewResources } from '../builtin/reviews';
import { builtinSchemas } from '../builtin/schemas';
import { aggregatedDiscoveryVersion, DiscoveryDocuments } from '../discovery/discovery';
import { OpenAPIv2Document, openAPIv2MediaType } from '../openapi/v2';
import { OpenAPIv3Documents, groupVersionPath } from '../openapi/v3';
import { pruneUnknownFields } from '../openapi/structural';
import { GoTypes, decodeAsGo } from '../rest/go-decode';
import { ResourceRegistry } from '../registry/resource-registry';
import type { ResourceDefinition } from '../registry/types';
import { parseRequestInfo, PathEscapeError, RequestInfoError, type RequestInfo, type ResourceRequestInfo, unescapePath } from '../request/request-info';
import { ServerSideApplyFieldManager } from '../fieldmanager/field-manager';
import { RestHandler } from '../rest/handler';
import { wantsYaml } from '../rest/negotiate';
import { tooLargeResourceVersionStatus } from '../rest/storage-errors';
import type { FieldManager, RestScope } from '../rest/scope';
import { toKubeYaml } from '../rest/yaml';
import { CacheRbacSource } from './cache-rbac-source';
import { type ApiRequest, type ApiResponse, isStreamResponse, jsonResponse, textResponse } from './api-request';
import { type ClusterResolver, nameOnlyResolver } from './cluster-resolver';
import { type Logger, silentLogger } from './logger';
import { BodyTooLargeError } from './node-server';
import { TooLargeResourceVersionError } from '../watch/watch-cache';

/** What a request interceptor sees; it returns a response to answer the request itself. */
export interface InterceptedRequest {
  readonly request: ApiRequest;
  readonly cluster: ClusterName | '*';
  readonly info: RequestInfo;
  readonly user: UserInfo;
  readonly query: URLSearchParams;
}

export type RequestInterceptor = (request: InterceptedRequest) => Promise<ApiResponse | undefined> | ApiResponse | undefined;

/** The Kubernetes version the server reports (`/version`). */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' };

export interface ApiServerOptions {
  readonly store: Store;
  readonly authenticator: Authenticator;
  /** authorizers consulted after `system:masters` and before RBAC (kcp's content authorizer, …) */
  readonly authorizers?: readonly Authorizer[];
  readonly admission?: readonly AdmissionPlugin[];
  /** resolves `/clusters/<path>`; default: names only */
  readonly clusterResolver?: ClusterResolver;
  /**
   * Called once per logical cluster the first time it is addressed by an
   * authorized request (e.g. to create its `default` namespace). Per-cluster
   * state stays one set entry.
   */
  readonly onFirstUse?: (cluster: ClusterName) => Promise<void>;
  /** host:port clients use (discovery's serverAddressByClientCIDRs) */
  readonly externalAddress: string;
  readonly maxBodyBytes?: number;
  /** server-side apply and managedFields tracking (default: a `ServerSideApplyFieldManager`) */
  readonly fieldManager?: FieldManager;
  readonly logger?: Logger;
  /** more built-in definitions (kcp's own resources served like built-ins) */
  readonly extraBuiltins?: readonly ResourceDefinition[];
  /** the most events a resource's watch cache keeps for watches resuming from a resourceVersion (default 10,000; it keeps about the last 75 s of them, at least 100) */
  readonly watchCacheHistory?: number;
  /** how often the watch caches ask the store for progress (which moves their revision while nothing is written); default: the store's */
  readonly watchCacheProgressIntervalMs?: number;
  /** the time between two bookmarks of a watch that takes them, plus one 2 s before its timeout (default 60 s) */
  readonly watchBookmarkIntervalMs?: number;
  /** the most events buffered for a watch client that does not read before the watch is ended (default 10,000) */
  readonly watchBufferLines?: number;
  /** gitVersion suffix, e.g. `+kcp-ts-0.1.0` */
  readonly versionSuffix?: string;
  /** run the built-in controllers (namespace deletion, RBAC aggregation, default service accounts and their tokens, the root CA config maps, garbage collection); default true */
  readonly runControllers?: boolean;
  /**
   * Service account tokens: the `serviceaccounts/token` subresource
   * (TokenRequest) signs them, and bearer tokens of `issuer` signed by one of
   * the keys authenticate as their service account.
   */
  readonly serviceAccountTokens?: ServiceAccountTokenOptions;
  /**
   * The CA bundle (PEM) clients verify this server with, as kcp's
   * `--root-ca-file`: published in every namespace as the `kube-root-ca.crt`
   * ConfigMap and written to service account token Secrets as `ca.crt`.
   * Without it namespaces get no such ConfigMap and token Secrets no `ca.crt`.
   */
  readonly rootCA?: string;
}

export interface ServiceAccountTokenOptions {
  /** `--service-account-issuer` (default `https://kcp.default.svc`) */
  readonly issuer?: string;
  /** `--service-account-signing-key-file`: the private key tokens are signed with */
  readonly signingKey: KeyObject;
  /** `--service-account-key-file`: more keys tokens may be signed with (the signing key is always accepted) */
  readonly verificationKeys?: readonly KeyObject[];
  /** `--api-audiences` (default: the issuer) */
  readonly audiences?: readonly string[];
  /** `--service-account-max-token-expiration` in seconds (default 0: requests are not capped) */
  readonly maxExpirationSeconds?: number;
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** `/healthz`, `/livez`, `/readyz`, and one of their checks */
const HEALTH_PATH = /^\/(healthz|livez|readyz)(\/[a-z-]+)?$/;
const ALWAYS_ALLOW_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

/**
 * The multi-logical-cluster Kubernetes API server: every request is scoped
 * to a logical cluster by its `/clusters/<cluster>` prefix, authenticated,
 * authorized (system:masters, then pluggable authorizers, then RBAC of the
 * cluster plus the bootstrap policy), and served by the REST layer over one
 * Store. Transport-independent: `handle()` serves the Node server and the
 * in-process transport alike. Nothing starts before `run()`.
 */

/** The Go types of the built-in kinds, shared by every server of the process (compiled on first use). */
const builtinGoTypes = new GoTypes((name) => builtinSchemas[name]);
const OBJECT_META_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
export class ApiServer implements AccessReviewer {
  readonly registry: ResourceRegistry;
  private readonly rest: RestHandler;
  private readonly rbac: RbacAuthorizer;
  private readonly authorizers: Authorizer[];
  private readonly interceptors: RequestInterceptor[] = [];
  private resolver: ClusterResolver;
  private readonly logger: Logger;
  private readonly maxBodyBytes: number;
  private readonly discoveryByKey = new Map<string, DiscoveryDocuments>();
  private readonly openapiByKey = new Map<string, { readonly v3: OpenAPIv3Documents; readonly v2: OpenAPIv2Document }>();
  private readonly knownClusters = new Set<ClusterName>();
  private readonly firstUse = new Map<ClusterName, Promise<void>>();
  private ready = false;
  private readonly admission: AdmissionChain;
  /** custom resources from the CRDs of each logical cluster */
  private readonly crds: CustomResourceDefinitionProvider;
  private readonly authenticator: Authenticator;
  private readonly tokenIssuer: ServiceAccountTokenIssuer | undefined;

  constructor(private readonly options: ApiServerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.registry = new ResourceRegistry(options.store, {
      historySize: options.watchCacheHistory ?? 10_000,
      ...(options.watchCacheProgressIntervalMs !== undefined ? { progressIntervalMs: options.watchCacheProgressIntervalMs } : {}),
    });
    const schemas = new SchemaCache();
    const tokens = options.serviceAccountTokens;
    this.tokenIssuer = tokens ? new ServiceAccountTokenIssuer(tokens.issuer ?? DEFAULT_SERVICE_ACCOUNT_ISSUER, tokens.signingKey) : undefined;
    const core = tokens ? coreResources.map((d) => (d.group === '' && d.resource === 'serviceaccounts' ? this.withTokens(d, tokens, this.tokenIssuer!) : d)) : coreResources;
    this.registry.addBuiltins([...core, ...quotaResources, ...rbacResources, ...certificateResources, ...miscResources, ...reviewResources(this), ...(options.extraBuiltins ?? []), customResourceDefinitionResource(schemas)]);
    this.authenticator = tokens ? new UnionAuthenticator([options.authenticator, this.serviceAccountAuthenticator(tokens, this.tokenIssuer!.issuer)]) : options.authenticator;
    this.crds = new CustomResourceDefinitionProvider(this.registry, options.store, schemas, (err) => this.logger.error({ err }, 'serving custom resources failed'));
    this.registry.addProvider(this.crds);
    const rbacSource: RbacSource = new CacheRbacSource(this.registry);
    this.rbac = new RbacAuthorizer([rbacSource, bootstrapPolicy]);
    this.authorizers = [...(options.authorizers ?? [])];
    this.resolver = options.clusterResolver ?? nameOnlyResolver;
    this.admission = new AdmissionChain(
      [
        namespaceLifecycle(this.registry, (cluster) => this.clusterBeingDeleted(cluster)),
        rbacEscalation({
          authorize: (attributes) => this.authorize(attributes),
          rulesFor: (user, cluster, namespace) => this.rulesFor(user, cluster, namespace),
          roleRules: (cluster, namespace, kind, name) => {
            const sources = [rbacSource, bootstrapPolicy];
            for (const source of sources) {
              const role = kind === 'ClusterRole' ? source.clusterRole(cluster, name) : source.role(cluster, namespace, name);
              if (role) return role.rules ?? [];
            }
            return undefined;
          },
        }),
        ...certificateAdmission((attributes) => this.authorize(attributes)),
        // the authorization upstream's policy and binding strategies do after validating them
        policyParameterAccess(this.registry, (attributes) => this.decide(attributes)),
        ...(options.admission ?? []),
      ],
      // upstream's ValidatingAdmissionPolicy runs after the webhooks, before ResourceQuota (last: it charges only what every other plugin let through)
      [validatingAdmissionPolicy({ registry: this.registry, authorize: (attributes) => this.decide(attributes) }), resourceQuotaAdmission(this.registry, () => this.loopback(undefined, 'kcp-ts-resourcequota-admission'))],
    );
    const builtinKinds = new Map(this.registry.builtinResources().map((r) => [`${r.definition.group}/${r.definition.version}/${r.definition.kind}`, r.definition]));
    this.rest = new RestHandler({
      admission: this.admission,
      kinds: (group, version, kind) => builtinKinds.get(`${group}/${version}/${kind}`),
      watch: {
        ...(options.watchBookmarkIntervalMs !== undefined ? { bookmarkIntervalMs: options.watchBookmarkIntervalMs } : {}),
        ...(options.watchBufferLines !== undefined ? { maxBufferedLines: options.watchBufferLines } : {}),
      },
      maxBodyBytes: this.maxBodyBytes,
      decodeFields: (definition, object) => {
        const custom = pruneCustomResourceFields(definition, object);
        if (custom) {
          // a custom resource's metadata (pruned above) is decoded as ObjectMeta, as upstream's schema coercion does
          const metadata: unknown = object.metadata;
          if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return { unknown: custom };
          const failure = decodeAsGo(metadata as Record<string, unknown>, builtinGoTypes.of(OBJECT_META_SCHEMA)).failure;
          return failure ? { unknown: custom, failure } : { unknown: custom };
        }
        if (definition.openAPISchemas === undefined && definition.schemaName && builtinSchemas[definition.schemaName]) {
          return decodeAsGo(object, builtinGoTypes.of(definition.schemaName));
        }
        return { unknown: [] };
      },
      pruneUnknownFields: (definition, object) => {
        const custom = pruneCustomResourceFields(definition, object);
        if (custom) return custom;
        if (definition.openAPISchemas === undefined && definition.schemaName && builtinSchemas[definition.schemaName]) {
          return pruneUnknownFields(object, builtinSchemas[definition.schemaName]!, (name) => builtinSchemas[name]);
        }
        return [];
      },
      fieldManager:
        options.fieldManager ??
        new ServerSideApplyFieldManager({ onUpdateError: (err, definition) => this.logger.error({ err, resource: definition.resource }, 'failed to update managedFields') }),
    });
  }

  private withTokens(serviceaccounts: ResourceDefinition, tokens: ServiceAccountTokenOptions, issuer: ServiceAccountTokenIssuer): ResourceDefinition {
    return withTokenSubresource(serviceaccounts, {
      issuer,
      audiences: tokens.audiences ?? [issuer.issuer],
      maxExpirationSeconds: tokens.maxExpirationSeconds ?? 0,
      secret: async (cluster, namespace, name) => {
        const { store } = this.registry.builtin('', 'v1', 'secrets');
        try {
          return await store.get(cluster, namespace, name);
        } catch (err) {
          if (isStatusError(err) && err.status.code === 404) return undefined;
          throw err;
        }
      },
    });
  }

  /** Service account tokens, checked against the service accounts and secrets in the watch caches. */
  private serviceAccountAuthenticator(tokens: ServiceAccountTokenOptions, issuer: string): Authenticator {
    const live = (resource: string) => (cluster: ClusterName, namespace: string, name: string) => {
      const { cache, store } = this.registry.builtin('', 'v1', resource);
      const object = cache.get(cluster, store.key(cluster, namespace, name))?.object;
      if (!object) return undefined;
      const { uid, deletionTimestamp, annotations } = object.metadata;
      return { uid: uid ?? '', deleting: !!deletionTimestamp, ...(annotations ? { annotations } : {}), ...(object['data'] ? { data: object['data'] as Record<string, string> } : {}) };
    };
    return new ServiceAccountTokenAuthenticator({
      issuers: [issuer],
      keys: [tokens.signingKey, ...(tokens.verificationKeys ?? [])],
      audiences: tokens.audiences ?? [issuer],
      serviceAccounts: live('serviceaccounts'),
      secrets: live('secrets'),
    });
  }

  /** Adds admission plugins (used by layers built on the server, e.g. workspaces). */
  addAdmission(...plugins: AdmissionPlugin[]): void {
    this.admission.add(...plugins);
  }

  /** A client dispatching into this server in-process as `user` (default: the loopback identity). */
  loopback(user?: UserInfo, userAgent?: string): LoopbackClient {
    return new LoopbackClient(this, user, userAgent);
  }

  /** Runs the watch caches and built-in controllers until `signal` aborts; resolves after cleanup. */
  async run(signal: AbortSignal): Promise<void> {
    const running = [this.registry.run(signal, (err) => this.logger.error({ err }, 'watch cache failed'))];
    await this.registry.whenReady();
    running.push(this.crds.run(signal).catch((err: unknown) => this.logger.error({ err }, 'custom resources failed')));
    await this.crds.whenReady();
    if (this.options.runControllers !== false) {
      const client = this.loopback(undefined, 'kcp-ts-controllers');
      const controllers = [
        new NamespaceController(this.registry, client, this.logger.child({ controller: 'namespace' })),
        new RbacAggregationController(this.registry, client),
        new ServiceAccountController(this.registry, client, this.logger.child({ controller: 'serviceaccount' })),
        ...(this.tokenIssuer
          ? [new ServiceAccountTokenController(this.registry, client, this.tokenIssuer, this.options.rootCA, this.logger.child({ controller: 'serviceaccount-tokens' }))]
          : []),
        ...(this.options.rootCA !== undefined
          ? [new RootCAPublisher(this.registry, client, this.options.rootCA, this.logger.child({ controller: 'root-ca-publisher' }))]
          : []),
        new GarbageCollector(this.registry, client, this.logger.child({ controller: 'garbage-collector' })),
        new ResourceQuotaController(this.registry, client, this.logger.child({ controller: 'resourcequota' })),
        new ValidatingAdmissionPolicyStatusController(this.registry, client, this.logger.child({ controller: 'validatingadmissionpolicy-status' })),
        new CustomResourceDefinitionController(this.registry, this.crds, client, this.logger.child({ controller: 'customresourcedefinitions' })),
      ];
      for (const controller of controllers) {
        running.push(controller.run(signal).catch((err: unknown) => this.logger.error({ err }, 'controller failed')));
      }
    }
    this.ready = true;
    this.logger.info('API server caches are ready');
    await Promise.all(running);
    this.ready = false;
  }

  /** Resolves once the built-in caches have loaded and the CRDs present at start are served. */
  whenReady(): Promise<void> {
    return Promise.all([this.registry.whenReady(), this.crds.whenReady()]).then(() => undefined);
  }

  async handle(request: ApiRequest): Promise<ApiResponse> {
    let response: ApiResponse;
    try {
      response = await this.serve(request);
    } catch (err) {
      response = this.errorResponse(err, request);
    }
    return wantsYaml(headerValue(request, 'accept')) ? inYaml(request, response) : response;
  }

  private errorResponse(err: unknown, request: ApiRequest): ApiResponse {
    let status: StatusError;
    if (isStatusError(err)) status = err;
    else if (err instanceof BodyTooLargeError) status = newRequestEntityTooLargeError(`limit is ${err.limit}`);
    else if (err instanceof RequestInfoError) status = newBadRequest(err.message);
    else if (err instanceof TooLargeResourceVersionError) status = tooLargeResourceVersionStatus(err.requested, err.current);
    else {
      this.logger.error({ err, method: request.method, url: request.url }, 'internal error');
      status = toInternalError(err);
    }
    const headers: Record<string, string> = {};
    const retryAfter = status.details?.retryAfterSeconds;
    if (retryAfter) headers['retry-after'] = String(retryAfter);
    return jsonResponse(status.code || 500, status.status, headers);
  }

  private async serve(request: ApiRequest): Promise<ApiResponse> {
    const queryStart = request.url.indexOf('?');
    const rawPath = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
    const query = new URLSearchParams(queryStart < 0 ? '' : request.url.slice(queryStart + 1));
    const health = HEALTH_PATH.exec(rawPath);
    if (health) return this.health(health, query);

    let clusterPath: ClusterPath | undefined;
    // routed on the decoded path, as upstream routes on Go's URL.Path
    let path = decodedPath(rawPath);
    if (path.startsWith('/clusters/')) {
      const end = path.indexOf('/', '/clusters/'.length);
      const segment = end < 0 ? path.slice('/clusters/'.length) : path.slice('/clusters/'.length, end);
      path = end < 0 ? '/' : path.slice(end);
      if (!isValidClusterPath(segment)) {
        throw newBadRequest(`invalid cluster: ${JSON.stringify(segment)} does not match the regex`);
      }
      clusterPath = segment;
    }

    // /version is public, as health is (the README's promise; upstream: system:public-info-viewer)
    if (clusterPath === undefined && (path === '/version' || path === '/version/')) return this.version();
    let user = this.authenticateRequest(request);
    if (clusterPath === undefined) throw notFound();
    const subPathHealth = HEALTH_PATH.exec(path);
    if (subPathHealth) return this.health(subPathHealth, query);

    let cluster: ClusterName | '*';
    if (clusterPath === '*') {
      cluster = '*';
    } else {
      const resolving = this.resolver.resolve(clusterPath);
      const resolution = isThenable(resolving) ? await resolving : resolving;
      if (resolution.outcome === 'notFound') {
        throw newNotFound({ group: 'tenancy.kcp.io', resource: 'workspaces' }, clusterPath);
      }
      if (resolution.outcome === 'elsewhere') throw newTooManyRequests('Not found on this shard', 1);
      cluster = resolution.cluster;
    }
    // a service account is itself only in the logical cluster its token was issued in
    const home = user.extra?.[SERVICE_ACCOUNT_CLUSTER_EXTRA]?.[0];
    if (home !== undefined && home !== cluster && parseServiceAccountUsername(user.username)) user = foreignServiceAccountUser(user, home);
    if (hasImpersonationHeaders(request.headers)) user = await this.impersonate(user, cluster, request);

    const info = parseRequestInfo(request.method, path, query);
    for (const interceptor of this.interceptors) {
      const response = await interceptor({ request, cluster, info, user, query });
      if (response) return response;
    }
    const attributes: AuthorizationAttributes = info.isResourceRequest
      ? {
          isResourceRequest: true,
          user,
          cluster,
          verb: info.verb,
          apiGroup: info.group,
          apiVersion: info.version,
          resource: info.resource,
          subresource: info.subresource,
          namespace: info.namespace,
          name: info.name,
        }
      : { isResourceRequest: false, user, cluster, verb: info.verb, path: info.path };
    // wildcard requests (all logical clusters at once) are for system:masters only
    const deciding: Decision | Promise<Decision> =
      cluster === '*' && !user.groups.includes(SYSTEM_MASTERS) ? { decision: 'deny', reason: '' } : this.decide(attributes);
    const decision = isThenable(deciding) ? await deciding : deciding;
    if (decision.decision !== 'allow') throw forbidden(attributes, decision.reason);
    // only outside traffic brings a logical cluster into use; in-process requests (the bootstrap itself) do not
    if (cluster !== '*' && !request.authenticatedUser && this.options.onFirstUse && !this.knownClusters.has(cluster)) await this.ensureCluster(cluster);

    if (cluster === '*' && info.isResourceRequest && info.verb !== 'list' && info.verb !== 'watch') {
      const err = newMethodNotSupported({ group: info.group, resource: info.resource }, info.verb);
      throw new (err.constructor as typeof StatusError)({ ...err.status, message: `${err.status.message ?? ''} in the \`*\` logical cluster` });
    }

    if (!info.isResourceRequest) return this.serveNonResource(request, cluster, path, query);
    return this.serveResource(request, cluster, info, query, user);
  }

  /** The user a request acts as with `Impersonate-*` headers (403 when the requester may not). */
  private async impersonate(user: UserInfo, cluster: ClusterName | '*', request: ApiRequest): Promise<UserInfo> {
    try {
      return (await impersonatedUser(user, cluster, request.headers, (attributes) => this.decide(attributes))) ?? user;
    } catch (err) {
      if (err instanceof ImpersonationForbidden) throw forbidden(err.attributes, err.reason);
      throw err;
    }
  }

  /** Anonymous requests are refused (401): every client of kcp presents credentials. */
  private authenticateRequest(request: ApiRequest): UserInfo {
    if (request.authenticatedUser) return request.authenticatedUser;
    const result = this.authenticator.authenticate(request);
    if (result.outcome === 'authenticated') return result.user;
    throw newUnauthorized('Unauthorized');
  }

  /** AccessReviewer: TokenReview authenticates through the server's authenticator. */
  authenticate(request: AuthenticationRequest): AuthenticationResult {
    return this.authenticator.authenticate(request);
  }

  /**
   * Whether a logical cluster is being deleted (its immortal namespaces may then
   * go). The workspaces layer sets it; by default no cluster is.
   */
  clusterBeingDeleted: (cluster: ClusterName) => boolean = () => false;

  /** Replaces the resolver of `/clusters/<path>` (the workspaces layer installs one walking Workspaces). */
  setClusterResolver(resolver: ClusterResolver): void {
    this.resolver = resolver;
  }

  /** Appends an authorizer consulted after system:masters and before RBAC (layers built on the server). */
  addAuthorizer(authorizer: Authorizer): void {
    this.authorizers.push(authorizer);
  }

  /**
   * Adds a request interceptor: it sees every request after authentication and
   * cluster resolution, before authorization, and may answer it (kcp's home
   * workspace endpoint).
   */
  addRequestInterceptor(interceptor: RequestInterceptor): void {
    this.interceptors.push(interceptor);
  }

  /**
   * RBAC alone (the cluster's own RBAC plus the bootstrap policy), skipping
   * the pluggable authorizers: what kcp's deep SubjectAccessReviews ask.
   */
  authorizeRbac(attributes: AuthorizationAttributes): Decision {
    if (attributes.user.groups.includes(SYSTEM_MASTERS)) return { decision: 'allow', reason: '' };
    return this.rbac.authorize(attributes);
  }

  /** The authorizer chain: system:masters, then the pluggable authorizers, then RBAC. */
  async authorize(attributes: AuthorizationAttributes): Promise<Decision> {
    return this.decide(attributes);
  }

  /** {@link authorize}, answering without a promise unless an authorizer answers with one (it is on every request's path). */
  private decide(attributes: AuthorizationAttributes): Decision | Promise<Decision> {
    if (attributes.user.groups.includes(SYSTEM_MASTERS)) return { decision: 'allow', reason: '' };
    if (!attributes.isResourceRequest && ALWAYS_ALLOW_PATHS.has(attributes.path)) return { decision: 'allow', reason: '' };
    return this.decideFrom(attributes, 0);
  }

  private decideFrom(attributes: AuthorizationAttributes, from: number): Decision | Promise<Decision> {
    for (let i = from; i < this.authorizers.length; i++) {
      const deciding = this.authorizers[i]!.authorize(attributes);
      if (isThenable(deciding)) return Promise.resolve(deciding).then((decision) => (decision.decision !== 'noOpinion' ? decision : this.decideFrom(attributes, i + 1)));
      if (deciding.decision !== 'noOpinion') return deciding;
    }
    return this.rbac.authorize(attributes);
  }

  rulesFor(user: UserInfo, cluster: ClusterName, namespace: string) {
    if (user.groups.includes(SYSTEM_MASTERS)) {
      return [
        { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
        { verbs: ['*'], nonResourceURLs: ['*'] },
      ];
    }
    return this.rbac.rulesFor(user, cluster, namespace);
  }

  private async ensureCluster(cluster: ClusterName): Promise<void> {
    if (!this.options.onFirstUse || this.knownClusters.has(cluster)) return;
    let pending = this.firstUse.get(cluster);
    if (!pending) {
      pending = this.options.onFirstUse(cluster).then(
        () => {
          this.knownClusters.add(cluster);
          this.firstUse.delete(cluster);
        },
        (err: unknown) => {
          this.firstUse.delete(cluster);
          throw err;
        },
      );
      this.firstUse.set(cluster, pending);
    }
    await pending;
  }

  /** Forgets per-cluster state (the logical cluster was deleted). */
  forgetCluster(cluster: ClusterName): void {
    this.knownClusters.delete(cluster);
    for (const [key] of this.discoveryByKey) if (key.startsWith(`${cluster}:`)) this.discoveryByKey.delete(key);
    for (const [key] of this.openapiByKey) if (key.startsWith(`${cluster}:`)) this.openapiByKey.delete(key);
  }

  /**
   * `/healthz`, `/livez` and `/readyz` with upstream's checks and output:
   * `ping`; `etcd`, the storage answering within 2 s (3 s for readiness, as
   * `etcd-readiness`), whatever the engine, as kine calls it; `informer-sync`,
   * the caches loaded. `?verbose` lists them, `?exclude=<name>` skips one, a
   * failure lists them with the reason withheld (it is logged), and
   * `/<endpoint>/<check>` runs one.
   */
  private async health(match: RegExpExecArray, query: URLSearchParams): Promise<ApiResponse> {
    const endpoint = match[1]!;
    type Check = readonly [name: string, check: () => Promise<void> | void];
    const checks: Check[] = [['ping', () => undefined], ['etcd', () => this.storageAnswers(2_000)]];
    if (endpoint === 'readyz') {
      checks.push(['etcd-readiness', () => this.storageAnswers(3_000)], [
        'informer-sync',
        () => {
          if (!this.ready) throw new Error('the caches have not synced');
        },
      ]);
    }
    /** the check's error message, undefined when it passes */
    const failure = async (check: () => Promise<void> | void): Promise<string | undefined> => {
      try {
        await check();
        return undefined;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    };
    if (match[2]) {
      const check = checks.find(([name]) => `/${name}` === match[2]);
      if (!check) return textResponse(404, '404 page not found\n');
      const err = await failure(check[1]);
      return err === undefined ? textResponse(200, 'ok') : textResponse(500, `internal server error: ${err}\n`);
    }
    const excluded = new Set(query.getAll('exclude'));
    const results = await Promise.all(checks.map(async ([name, check]) => [name, excluded.has(name) ? 'excluded' : await failure(check)] as const));
    let output = '';
    const failed: string[] = [];
    for (const [name, result] of results) {
      if (result === 'excluded') {
        excluded.delete(name);
        output += `[+]${name} excluded: ok\n`;
      } else if (result === undefined) {
        output += `[+]${name} ok\n`;
      } else {
        output += `[-]${name} failed: reason withheld\n`;
        failed.push(name);
        this.logger.warn({ check: name, reason: result }, `${endpoint} check failed`);
      }
    }
    if (excluded.size > 0) {
      output += `warn: some health checks cannot be excluded: no matches for ${[...excluded].sort().map((n) => JSON.stringify(n)).join(',')}\n`;
    }
    if (failed.length > 0) return textResponse(500, `${output}${endpoint} check failed\n`);
    if (!query.has('verbose')) return textResponse(200, 'ok');
    return textResponse(200, `${output}${endpoint} check passed\n`);
  }

  /** Resolves when the store answers a read of its revision within `timeoutMs`. */
  private async storageAnswers(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the storage did not answer within ${timeoutMs / 1000}s`)), timeoutMs);
    });
    try {
      await Promise.race([this.options.store.currentRevision(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private version(): ApiResponse {
    return jsonResponse(200, {
      major: KUBERNETES_VERSION.major,
      minor: KUBERNETES_VERSION.minor,
      gitVersion: `${KUBERNETES_VERSION.gitVersion}${this.options.versionSuffix ?? '+kcp-ts'}`,
      gitCommit: '',
      gitTreeState: 'clean',
      buildDate: '2026-11-01T00:00:00Z',
      goVersion: `node${process.versions.node}`,
      compiler: 'tsc',
      platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
    });
  }

  private definitionsFor(cluster: ClusterName | '*'): { key: string; definitions: ResourceDefinition[] } {
    if (cluster === '*') return { key: '', definitions: this.registry.builtinResources().map((r) => r.definition) };
    const key = this.registry.discoveryKey(cluster);
    return { key, definitions: this.registry.resources(cluster).map((r) => r.definition) };
  }

  private discovery(cluster: ClusterName | '*'): DiscoveryDocuments {
    const { key, definitions } = this.definitionsFor(cluster);
    let docs = this.discoveryByKey.get(key);
    if (!docs) {
      docs = new DiscoveryDocuments(definitions);
      if (this.discoveryByKey.size > 10_000) this.discoveryByKey.clear();
      this.discoveryByKey.set(key, docs);
    }
    return docs;
  }

  private openapi(cluster: ClusterName | '*'): { readonly v3: OpenAPIv3Documents; readonly v2: OpenAPIv2Document } {
    const { key, definitions } = this.definitionsFor(cluster);
    let docs = this.openapiByKey.get(key);
    if (!docs) {
      const published = definitions.filter((d) => d.storage || d.virtualCreate);
      docs = { v3: new OpenAPIv3Documents(published, KUBERNETES_VERSION.gitVersion), v2: new OpenAPIv2Document(published, KUBERNETES_VERSION.gitVersion) };
      if (this.openapiByKey.size > 1_000) this.openapiByKey.clear();
      this.openapiByKey.set(key, docs);
    }
    return docs;
  }

  private serveNonResource(request: ApiRequest, cluster: ClusterName | '*', path: string, query: URLSearchParams): ApiResponse {
    const accept = headerValue(request, 'accept');
    const trimmed = path.replace(/\/+$/, '') || '/';
    if (trimmed === '/version') return this.version();
    if (trimmed === '/api' || trimmed === '/apis') {
      const aggregated = aggregatedDiscoveryVersion(accept);
      const docs = this.discovery(cluster);
      if (aggregated) {
        const { body, etag } = docs.aggregated(trimmed === '/api', aggregated);
        const headers = { 'content-type': `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`, vary: 'Accept', etag };
        if (headerValue(request, 'if-none-match') === etag) return { status: 304, headers, body: '' };
        return { status: 200, headers, body };
      }
      return jsonBody(trimmed === '/api' ? docs.apiVersions(this.options.externalAddress) : docs.groupList());
    }
    let m = /^\/api\/([^/]+)$/.exec(trimmed);
    if (m) {
      const body = this.discovery(cluster).resourceList('', m[1]!);
      if (body) return jsonBody(body);
      throw notFound();
    }
    m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(trimmed);
    if (m) {
      const body = m[2] === undefined ? this.discovery(cluster).group(m[1]!) : this.discovery(cluster).resourceList(m[1]!, m[2]);
      if (body) return jsonBody(body);
      throw notFound();
    }
    if (trimmed === '/openapi/v3') return jsonBody(this.openapi(cluster).v3.indexDocument());
    m = /^\/openapi\/v3\/(.+)$/.exec(trimmed);
    if (m) {
      const doc = this.openapi(cluster).v3.document(m[1]!);
      if (!doc) throw notFound();
      const immutable = query.get('hash') === doc.hash;
      return {
        status: 200,
        headers: { 'content-type': 'application/json', etag: `"${doc.hash}"`, ...(immutable ? { 'cache-control': 'public, immutable' } : {}) },
        body: doc.body,
      };
    }
    if (trimmed === '/openapi/v2') {
      // Negotiated as kube-openapi does: JSON unless the client prefers the protobuf document, 406 (no body) for
      // anything else. The protobuf document is empty: kubectl reads it only when /openapi/v3 fails, and an empty
      // one makes every kind "unknown" to its client-side validation, which then relies on the server's
      // fieldValidation (see the API surface sheet §2).
      const type = openAPIv2MediaType(accept);
      if (type === undefined) return { status: 406, headers: { vary: 'Accept' }, body: '' };
      if (type === 'protobuf') return { status: 200, headers: { 'content-type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', vary: 'Accept' }, body: new Uint8Array(0) };
      const { body, etag } = this.openapi(cluster).v2.json();
      const headers = { 'content-type': 'application/json', vary: 'Accept', etag: `"${etag}"` };
      if (headerValue(request, 'if-none-match') === headers.etag) return { status: 304, headers, body: '' };
      return { status: 200, headers, body };
    }
    throw notFound();
  }

  private async serveResource(
    request: ApiRequest,
    cluster: ClusterName | '*',
    info: ResourceRequestInfo,
    query: URLSearchParams,
    user: UserInfo,
  ): Promise<ApiResponse> {
    // paths no resource serves: upstream's router answers 404 without naming anything
    const served = this.registry.lookup(cluster, info.group, info.version, info.resource);
    if (!served) throw notFound();
    const { definition } = served;
    if (info.subresource !== '' && !definition.subresources[info.subresource]) throw notFound();
    if (info.parts.length > 3) throw notFound();
    const namespace = definition.namespaced ? info.namespace : '';
    if (definition.namespaced && namespace === '' && info.name !== '' && info.verb !== 'list' && info.verb !== 'watch') throw notFound();
    const scope: RestScope = {
      resource: served,
      cluster,
      namespace: definition.namespaced ? info.namespace : '',
      name: definition.namespaced || info.resource !== 'namespaces' ? info.name : info.name,
      subresource: info.subresource,
      user,
      request,
      query,
      warnings: definition.deprecationWarning ? [definition.deprecationWarning] : [],
    };
    // a path that exists but not for this method: upstream's router answers 405 without naming anything
    const allowed = (verb: string) => {
      const verbs = info.subresource ? definition.subresources[info.subresource]!.verbs : definition.verbs;
      if (!verbs.includes(verb)) throw methodNotAllowed();
    };
    const requireName = () => {
      if (info.name === '') throw methodNotAllowed();
    };
    switch (info.verb) {
      case 'get':
        allowed('get');
        return this.rest.get(scope);
      case 'list':
        allowed('list');
        return this.rest.list(scope);
      case 'watch':
        allowed('watch');
        // `?watch=true`, or the deprecated /watch/ paths, which watch without it (of one object with a name)
        return this.rest.list({ ...scope, query: watchQuery(query, info.parts[1] ?? '') });
      case 'create':
        allowed('create');
        if (info.name !== '' && !info.subresource) throw methodNotAllowed();
        return this.rest.create(scope);
      case 'update':
        requireName();
        allowed('update');
        return this.rest.update(scope);
      case 'patch':
        requireName();
        allowed('patch');
        return this.rest.patch(scope);
      case 'delete':
        allowed('delete');
        return this.rest.delete(scope);
      case 'deletecollection':
        allowed('deletecollection');
        return this.rest.deleteCollection(scope);
      default:
        throw methodNotAllowed();
    }
  }
}

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** 404 for a path nothing serves, as kube-apiserver's router (and client-go for its plain-text 404s) words it. */
function notFound(): StatusError {
  return newGenericServerResponse(404, '', { group: '', resource: '' }, '', '', 0, false);
}

/** 405 for a method a served path does not take, as kube-apiserver's router answers. */
function methodNotAllowed(): StatusError {
  return newGenericServerResponse(405, '', { group: '', resource: '' }, '', '', 0, false);
}

/**
 * The query of a watch: `watch=true`, and for `/watch/…/<name>` the name as a
 * field selector; one the request has must select that name (upstream: 400
 * `fieldSelector metadata.name doesn't match requested name`).
 */
function watchQuery(query: URLSearchParams, pathName: string): URLSearchParams {
  const q = new URLSearchParams(query);
  q.set('watch', 'true');
  if (pathName === '') return q;
  const selector = q.get('fieldSelector');
  if (!selector) {
    q.set('fieldSelector', `metadata.name=${pathName}`);
    return q;
  }
  let selected: string | undefined;
  try {
    selected = parseFieldSelector(selector).requiresExactMatch('metadata.name');
  } catch {
    return q; // the list handler reports the malformed selector
  }
  if (selected !== pathName) throw newBadRequest("fieldSelector metadata.name doesn't match requested name");
  return q;
}

function headerValue(request: ApiRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' ? v : v?.[0];
}

/** Endpoints that answer in JSON whatever the client accepts, as kube-apiserver's do (raw JSON writers). */
const JSON_ONLY_PATH = /^(?:\/clusters\/[^/]+)?\/(?:version|openapi|\.well-known|openid)(?:\/|$)/;

/**
 * A response in YAML for a client that prefers it: objects, lists, discovery
 * and Status errors, which kube-apiserver serializes by negotiation; raw JSON
 * endpoints and streams stay as they are.
 */
function inYaml(request: ApiRequest, response: ApiResponse): ApiResponse {
  if (isStreamResponse(response) || response.headers['content-type'] !== 'application/json' || response.body.length === 0) return response;
  const queryStart = request.url.indexOf('?');
  if (JSON_ONLY_PATH.test(queryStart < 0 ? request.url : request.url.slice(0, queryStart))) return response;
  const json = typeof response.body === 'string' ? response.body : Buffer.from(response.body).toString('utf8');
  return { ...response, headers: { ...response.headers, 'content-type': 'application/yaml' }, body: toKubeYaml(JSON.parse(json)) };
}

function jsonBody(body: string): ApiResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body };
}

/** 403 with upstream's wording (`responsewriters.Forbidden`). */
export function forbidden(attributes: AuthorizationAttributes, reason: string): StatusError {
  const user = attributes.user.username;
  let message: string;
  if (!attributes.isResourceRequest) {
    message = `User "${user}" cannot ${attributes.verb} path "${attributes.path}"`;
  } else {
    const resource = attributes.subresource ? `${attributes.resource}/${attributes.subresource}` : attributes.resource;
    message =
      attributes.namespace !== ''
        ? `User "${user}" cannot ${attributes.verb} resource "${resource}" in API group "${attributes.apiGroup}" in the namespace "${attributes.namespace}"`
        : `User "${user}" cannot ${attributes.verb} resource "${resource}" in API group "${attributes.apiGroup}" at the cluster scope`;
  }
  if (reason) message = `${message}: ${reason}`;
  return attributes.isResourceRequest
    ? newForbidden({ group: attributes.apiGroup, resource: attributes.resource }, attributes.name, message)
    : newForbidden({ group: '', resource: '' }, '', message);
}

export { groupVersionPath };

/** The request path with its percent-escapes decoded; 400 with Go's message for a malformed escape. */
function decodedPath(rawPath: string): string {
  try {
    return unescapePath(rawPath);
  } catch (err) {
    if (err instanceof PathEscapeError) throw newBadRequest(err.message);
    throw err;
  }
}
