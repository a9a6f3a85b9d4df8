import {
  type FieldError,
  type GroupKind,
  type GroupResource,
  type Status,
  StatusError,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  generateName,
  isAlreadyExists,
  isConflict,
  isPatchError,
  jsonEqual,
  newBadRequest,
  newConflict,
  newGenericServerResponse,
  newInternalError,
  newInvalid,
  newMethodNotSupported,
  newNotFound,
  newUnsupportedMediaType,
} from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { KeyValue } from '@kcp-ts/storage';
import { parse as parseYaml } from 'yaml';
import type { AdmissionChain, AdmissionOperation } from '../admission/types';
import type { Obj, OperationContext, ResourceDefinition, SubresourceDefinition } from '../registry/types';
import { type ApiResponse, jsonResponse } from '../server/api-request';
import { decodeJsonPatchBody, decodeObjectBody, decodePatchObjectBody, decodeRequestObject, mediaType, parseJson } from './body';
import {
  nowTimestamp,
  prepareMetadataForCreate,
  prepareMetadataForUpdate,
  specChanged,
  validateNewObjectMeta,
  validateUpdatedObjectMeta,
} from './metadata';
import { negotiateOutput, type OutputFormat, refuseMetadataForm, refuseYamlWatch } from './negotiate';
import { apiVersionOf, checkFieldSelector, listItemJson, objectFilter, servedAsStored, toListItem, toServed, toStored } from './objects';
import { type DeleteOptions, type FieldValidation, type ListOptions, parseDeleteOptions, parseDryRun, parseFieldValidation, parseListOptions, parseResourceVersion } from './options';
import { type GoDecodeFailure, type GoDecodeResult } from './go-decode';
import { goFormat } from './go-format';
import { yamlSurrogateEscapeLine } from './go-json';
import { type ResourceStore, type WrittenObject, decodeObject, withClusterAnnotation } from './resource-store';
import { ServedJsonCache } from './served-json-cache';
import type { FieldManager, RestScope } from './scope';
import { checkAppliedKind } from '../fieldmanager/field-manager';
import { withGoZeroFields } from '../builtin/go-zero-fields';
import { buildTable, partialObjectMetadata } from './table';
import { type KindLookup, checkRequestTypeMeta } from './type-meta';
import { type WatchServingOptions, serveWatch } from './watch';

/** Limits and collaborators of the REST layer. */
export interface RestOptions {
  readonly admission: AdmissionChain;
  /** request bodies above this are 413 (3 MiB, as kube-apiserver) */
  readonly maxBodyBytes: number;
  /**
   * decodes a request object as its kind's Go type (built-in kinds: type
   * errors, `null`s, timestamps) and removes unknown fields, returning their
   * paths (for `fieldValidation`)
   */
  readonly decodeFields?: (definition: ResourceDefinition, object: Obj) => GoDecodeResult;
  /** removes unknown fields of an apply configuration, returning their paths */
  readonly pruneUnknownFields?: (definition: ResourceDefinition, object: Obj) => string[];
  /** server-side apply and managedFields (absent: apply patches are 415) */
  readonly fieldManager?: FieldManager;
  /** the built-in kinds by group/version/kind, for upstream's messages on a body of another type */
  readonly kinds?: KindLookup;
  /** bookmark interval and buffer bound of watches */
  readonly watch?: WatchServingOptions;
  /** characters of served JSON kept for objects read again unchanged (default 8 Mi; 0 keeps none) */
  readonly servedJsonCacheChars?: number;
}

/** An object read to be answered: its storage key and revision, and the object from the watch cache or the stored key value. */
interface ReadObject {
  readonly key: string;
  readonly revision: number;
  readonly cached?: Obj;
  readonly kv?: KeyValue;
}

const PATCH_JSON = 'application/json-patch+json';
const PATCH_MERGE = 'application/merge-patch+json';
const PATCH_STRATEGIC = 'application/strategic-merge-patch+json';
const PATCH_APPLY_YAML = 'application/apply-patch+yaml';
const PATCH_APPLY_JSON = 'application/apply-patch+json';
const MAX_CONFLICT_RETRIES = 5;
const MAX_GENERATE_NAME_ATTEMPTS = 8;

const groupResource = (d: ResourceDefinition): GroupResource => ({ group: d.group, resource: d.resource });
const groupKind = (d: ResourceDefinition): GroupKind => ({ group: d.group, kind: d.kind });

/**
 * The REST verbs over the Store, with kube-apiserver's semantics: optimistic
 * concurrency on resourceVersion, the generation rule, status subresources,
 * graceful deletion with finalizers, dry-run, field validation, Tables.
 */
export class RestHandler {
  /** the JSON of objects served lately, by storage key and revision */
  private readonly json: ServedJsonCache;

  constructor(private readonly options: RestOptions) {
    this.json = new ServedJsonCache(options.servedJsonCacheChars);
  }

  async get(scope: RestScope): Promise<ApiResponse> {
    const { definition } = scope.resource;
    const format = negotiateOutput(header(scope, 'accept'), scope.query.get('includeObject'));
    const view = scope.subresource ? definition.subresources[scope.subresource]?.view : undefined;
    const read = await this.read(scope);
    if (!view) refuseMetadataForm(format, false, definition);
    if (format.kind === 'object' && !view) return jsonTextResponse(200, this.servedJson(definition, read), warningHeaders(scope.warnings));
    const object = toServed(definition, read.cached ?? decodeObject(read.kv!));
    if (view) return jsonResponse(200, view.toView(object), warningHeaders(scope.warnings));
    return this.respondObject(definition, 200, object, format, scope);
  }

  private async read(scope: RestScope): Promise<ReadObject> {
    const store = requireStore(scope);
    const rv = scope.query.get('resourceVersion') ?? '';
    const cache = scope.resource.cache;
    if (rv !== '' && cache && scope.cluster !== '*') {
      // any state at least as new as rv: the cache
      const revision = parseResourceVersion(rv);
      if (revision !== 0) await cache.waitForRevision(revision, 3_000, scope.request.signal);
      else await cache.whenReady();
      const cached = cache.get(scope.cluster, store.key(scope.cluster, scope.namespace, scope.name));
      if (!cached) throw newNotFound(groupResource(scope.resource.definition), scope.name);
      return { key: cached.key, revision: cached.revision, cached: cached.object };
    }
    const kv = await store.getKeyValue(asCluster(scope), scope.namespace, scope.name);
    return { key: kv.key, revision: kv.modRevision, kv };
  }

  /**
   * The JSON of a stored object as this definition serves it
   * (`JSON.stringify(toServed(definition, object))`): from the served-JSON
   * cache when the object is served as stored and was serialized at this
   * revision before.
   */
  private servedJson(definition: ResourceDefinition, read: ReadObject): string {
    const held = this.json.get(read.key, read.revision);
    if (held !== undefined && servedAsStored(definition, held.apiVersion, held.kind)) return held.json;
    const stored = read.cached ?? decodeObject(read.kv!);
    const json = JSON.stringify(toServed(definition, stored));
    if (servedAsStored(definition, stored.apiVersion, stored.kind)) this.json.set(read.key, read.revision, stored.apiVersion, stored.kind, json);
    return json;
  }

  /**
   * The JSON of a stored object as an item of this definition's list
   * (`listItemJson` of its served JSON), kept with the served JSON in the
   * cache: a list read again cuts no item again.
   */
  private servedItemJson(definition: ResourceDefinition, read: ReadObject): string {
    const json = this.servedJson(definition, read);
    if (!definition.typedList) return json;
    // the entry servedJson answered from or just filled, when it holds this object's JSON
    const held = this.json.get(read.key, read.revision);
    if (held?.json === json) return (held.item ??= listItemJson(definition, json));
    return listItemJson(definition, json);
  }

  async list(scope: RestScope): Promise<ApiResponse> {
    const { definition } = scope.resource;
    const format = negotiateOutput(header(scope, 'accept'), scope.query.get('includeObject'));
    const options = parseListOptions(scope.query);
    checkFieldSelector(definition, options.fieldSelector);
    if (options.watch) {
      refuseYamlWatch(header(scope, 'accept'));
      return serveWatch(scope, options, format, this.options.watch);
    }
    const filter = objectFilter(definition, scope.namespace, options.labelSelector, options.fieldSelector);
    const selective = options.labelSelector !== undefined || options.fieldSelector !== undefined;
    const cache = scope.resource.cache;
    let items: Obj[];
    let listMeta: Record<string, unknown>;
    if (cache && !options.continue && (await this.cacheCanServe(scope, options))) {
      const revision = cache.currentRevision();
      const matched: Array<{ key: string; revision: number; object: Obj }> = [];
      for (const cached of cache.objects(scope.cluster)) {
        if ((scope.namespace === '' || cached.namespace === scope.namespace) && filter(cached.object)) matched.push(cached);
      }
      matched.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      listMeta = { resourceVersion: String(revision) };
      if (format.kind === 'object') {
        const json = matched.map((m) => this.servedItemJson(definition, { key: m.key, revision: m.revision, cached: m.object }));
        return jsonTextResponse(200, listJson(definition, listMeta, json), {});
      }
      items = matched.map((m) => m.object);
    } else {
      const store = requireStore(scope);
      const revision = options.consistency.kind === 'exact' ? options.consistency.revision : undefined;
      const result = await this.listFromStore(store, scope, filter, options.limit, options.continue, revision);
      items = result.items;
      listMeta = {
        resourceVersion: String(result.revision),
        ...(result.continue ? { continue: result.continue } : {}),
        ...(result.continue && !selective && result.remaining > 0 ? { remainingItemCount: result.remaining } : {}),
      };
    }
    const served = items.map((o) => toServed(definition, o));
    return this.respondList(definition, served, listMeta, format);
  }

  /**
   * Whether the watch cache serves a list (after waiting until it is recent
   * enough): RV `0` and NotOlderThan; and, as upstream's
   * ConsistentListFromCache, a consistent read (RV unset) without `limit` once
   * the cache has caught up with the store's current revision — the store
   * serves it when the cache lags behind.
   */
  private async cacheCanServe(scope: RestScope, options: ListOptions): Promise<boolean> {
    const cache = scope.resource.cache!;
    switch (options.consistency.kind) {
      case 'any':
        await cache.whenReady();
        return true;
      case 'notOlderThan':
        await cache.waitForRevision(options.consistency.revision, 3_000, scope.request.signal);
        return true;
      case 'latest': {
        if (options.limit > 0) return false;
        // Only a cache that has applied everything up to the store's current revision serves it.
        // No waiting: a cache whose prefix saw no write since learns of the revision only from a
        // progress event (seconds away), and any wait would be paid by every consistent list
        // of a quiet resource while others are written; the store serves those.
        await cache.whenReady();
        const current = await requireStore(scope).currentRevision();
        return cache.currentRevision() >= current;
      }
      default:
        return false;
    }
  }

  /**
   * Reads pages until `limit` matching objects are collected: each further page
   * asks for only as many keys as are still missing, so the store's continue
   * token of the last page is exactly where the next request resumes.
   */
  private async listFromStore(
    store: ResourceStore,
    scope: RestScope,
    filter: (o: Obj) => boolean,
    limit: number,
    continueToken: string | undefined,
    revision: number | undefined,
  ): Promise<{ items: Obj[]; revision: number; continue?: string; remaining: number }> {
    const items: Obj[] = [];
    let token = continueToken;
    let listRevision = 0;
    let remaining = 0;
    for (let pages = 0; ; pages++) {
      const want = limit > 0 ? limit - items.length : 0;
      const { items: page, result } = await store.list(scope.cluster, scope.cluster === '*' ? '' : scope.namespace, {
        ...(want > 0 ? { limit: want } : {}),
        ...(token ? { continue: token } : {}),
        ...(revision !== undefined && !token ? { revision } : {}),
      });
      listRevision = result.revision;
      remaining = result.remaining;
      for (const object of page) if (filter(object)) items.push(object);
      token = result.continue;
      if (!token || limit === 0 || items.length >= limit || pages >= 20) break;
    }
    return { items, revision: listRevision, ...(token ? { continue: token } : {}), remaining };
  }

  async create(scope: RestScope): Promise<ApiResponse> {
    const { definition } = scope.resource;
    if (scope.cluster === '*') throw wildcardWrite(definition);
    if (scope.subresource !== '') return this.createSubresource(scope);
    const body = await scope.request.readBody(this.options.maxBodyBytes);
    const object = this.decodeBody(scope, body);
    const fieldValidation = parseFieldValidation(scope.query);
    const dryRun = parseDryRun(scope.query);
    this.decodeFields(definition, object, fieldValidation, scope.warnings, cannotBeHandled(definition));
    const context = operationContext(scope, dryRun);
    if (definition.virtualCreate) {
      const result = await definition.virtualCreate(object, context);
      return jsonResponse(201, result, warningHeaders(scope.warnings));
    }
    const store = requireStore(scope);
    if (definition.namespaced) {
      const bodyNamespace = object.metadata.namespace ?? '';
      if (bodyNamespace !== '' && bodyNamespace !== scope.namespace) {
        throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
    }
    const now = nowTimestamp();
    prepareMetadataForCreate(object, definition, scope.namespace, now);
    // with a status subresource, status is written through /status only: a create starts without (the strategy may set one)
    if (definition.strategy.statusSubresource) delete object['status'];
    definition.strategy.prepareForCreate?.(object, context);
    definition.strategy.defaults?.(object, context);
    const generated = !object.metadata.name && !!object.metadata.generateName;
    if (generated) object.metadata.name = generateName(object.metadata.generateName!);
    const cluster = scope.cluster;
    await this.admit('CREATE', scope, object, undefined, dryRun);
    const errors = [...validateNewObjectMeta(definition, object.metadata), ...(definition.strategy.validate?.(object, context) ?? [])];
    if (errors.length > 0) throw newInvalid(groupKind(definition), object.metadata.name ?? '', errors);
    await this.validateAdmission('CREATE', scope, object, undefined, dryRun);
    let toWrite = object;
    if (this.options.fieldManager) toWrite = this.options.fieldManager.update(definition, object, undefined, fieldManagerOf(scope), '');
    // the members its Go type always writes come after the field manager (nobody owns them): toStored adds them to a write
    if (dryRun) {
      return this.respondObject(definition, 201, toServed(definition, withGoZeroFields(toWrite)), { kind: 'object' }, scope);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await store.createWritten(cluster, scope.namespace, toStored(definition, toWrite));
        return this.respondWritten(definition, 201, created, scope);
      } catch (err) {
        if (!generated || !isAlreadyExists(err) || attempt >= MAX_GENERATE_NAME_ATTEMPTS) throw err;
        toWrite = { ...toWrite, metadata: { ...toWrite.metadata, name: generateName(object.metadata.generateName!) } };
      }
    }
  }

  /** POST to a subresource of a named object (`serviceaccounts/<name>/token`): made from the parent, not stored. */
  private async createSubresource(scope: RestScope): Promise<ApiResponse> {
    const { definition } = scope.resource;
    const subresource = definition.subresources[scope.subresource];
    if (!subresource?.create || !subresource.kind) throw newMethodNotSupported(groupResource(definition), 'create');
    const { group, version, kind } = subresource.kind;
    const apiVersion = group === '' ? version : `${group}/${version}`;
    const body = await scope.request.readBody(this.options.maxBodyBytes);
    const object = decodeRequestObject(header(scope, 'content-type'), body, { kind, apiVersion }) as Obj;
    if (object.apiVersion !== undefined && object.apiVersion !== '' && object.apiVersion !== apiVersion) {
      throw newBadRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersion})`);
    }
    if (object.kind !== undefined && object.kind !== '' && object.kind !== kind) {
      throw newBadRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${kind})`);
    }
    object.apiVersion = apiVersion;
    object.kind = kind;
    object.metadata ??= {};
    const read = await this.read({ ...scope, subresource: '' });
    const parent = toServed(definition, read.cached ?? decodeObject(read.kv!));
    const created = await subresource.create(parent, object, operationContext(scope, parseDryRun(scope.query)));
    return jsonResponse(201, created, warningHeaders(scope.warnings));
  }

  async update(scope: RestScope): Promise<ApiResponse> {
    const { definition } = scope.resource;
    if (scope.cluster === '*') throw wildcardWrite(definition);
    const body = await scope.request.readBody(this.options.maxBodyBytes);
    const view = scope.subresource ? definition.subresources[scope.subresource]?.view : undefined;
    if (view) return this.updateView(scope, body, view);
    const object = this.decodeBody(scope, body);
    const fieldValidation = parseFieldValidation(scope.query, 'UpdateOptions');
    const dryRun = parseDryRun(scope.query, undefined, 'UpdateOptions');
    this.decodeFields(definition, object, fieldValidation, scope.warnings, cannotBeHandled(definition));
    if ((object.metadata.name ?? '') !== scope.name) {
      throw newBadRequest(`the name of the object (${object.metadata.name ?? ''}) does not match the name on the URL (${scope.name})`);
    }
    checkNamespace(object, scope.namespace);
    const precondition = object.metadata.resourceVersion || undefined;
    if (precondition !== undefined) parseResourceVersion(precondition);
    const uid = object.metadata.uid || undefined;
    const updated = await this.guaranteedUpdate(scope, dryRun, precondition !== undefined, (current) => {
      if (uid !== undefined && uid !== current.metadata.uid) {
        // upstream's storage precondition on the body's uid, as InterpretUpdateError words it
        const key = requireStore(scope).key(asCluster(scope), scope.namespace, scope.name);
        throw newConflict(
          groupResource(definition),
          scope.name,
          `StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid ?? ''}`,
        );
      }
      if (precondition !== undefined && precondition !== current.metadata.resourceVersion) {
        throw newConflict(groupResource(definition), scope.name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      return structuredClone(object);
    });
    return this.respondObject(definition, 200, updated, { kind: 'object' }, scope);
  }

  /** PUT of a subresource served as another kind (`/scale`). */
  private async updateView(scope: RestScope, body: Uint8Array, view: NonNullable<SubresourceDefinition['view']>): Promise<ApiResponse> {
    const dryRun = parseDryRun(scope.query, undefined, 'UpdateOptions');
    const incoming = decodeObjectBody(header(scope, 'content-type'), body) as Obj;
    incoming.metadata ??= {};
    const precondition = incoming.metadata.resourceVersion || undefined;
    const updated = await this.guaranteedUpdate(scope, dryRun, precondition !== undefined, (current) => {
      if (precondition !== undefined && precondition !== current.metadata.resourceVersion) {
        throw newConflict(groupResource(scope.resource.definition), scope.name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      return view.fromView(structuredClone(current), incoming);
    });
    return jsonResponse(200, view.toView(updated), warningHeaders(scope.warnings));
  }

  async patch(scope: RestScope): Promise<ApiResponse> {
    const { definition } = scope.resource;
    if (scope.cluster === '*') throw wildcardWrite(definition);
    const contentType = mediaType(header(scope, 'content-type'));
    const body = await scope.request.readBody(this.options.maxBodyBytes);
    const dryRun = parseDryRun(scope.query, undefined, 'PatchOptions');
    const fieldValidation = parseFieldValidation(scope.query, 'PatchOptions');
    const force = scope.query.get('force');
    if (contentType === PATCH_APPLY_YAML || contentType === PATCH_APPLY_JSON) {
      if (!this.options.fieldManager) throw unsupportedPatch(definition, false);
      return this.apply(scope, body, dryRun, fieldValidation);
    }
    if (force !== null && force !== '') {
      throw newInvalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [
        { type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch' },
      ]);
    }
    let apply: (current: Obj) => Obj;
    // the patched object is decoded as JSON text (JSON and merge patches) or from a map (strategic), each with its own errors
    let undecodable: (failure: GoDecodeFailure, patched: Obj) => StatusError;
    switch (contentType) {
      case PATCH_JSON: {
        const patch = decodeJsonPatchBody(body);
        apply = (current) => applyJsonPatch(current, patch);
        undecodable = (failure, patched) => invalidPatch(patchedText(patched), failure.json);
        break;
      }
      case PATCH_MERGE: {
        const patch = decodePatchObjectBody(body, 'merge');
        apply = (current) => applyMergePatch(current, patch);
        undecodable = (failure, patched) => invalidPatch(patchedText(patched), failure.json);
        break;
      }
      case PATCH_STRATEGIC: {
        if (!definition.patchMeta) throw unsupportedPatch(definition, this.options.fieldManager !== undefined);
        const patch = decodePatchObjectBody(body, 'strategic');
        const meta = definition.patchMeta;
        apply = (current) => applyStrategicMergePatch(current, patch, meta) as Obj;
        undecodable = (failure) => invalidPatch(goFormat(patch), failure.converter);
        break;
      }
      default:
        throw unsupportedPatch(definition, this.options.fieldManager !== undefined);
    }
    let precondition = false;
    const view = scope.subresource ? definition.subresources[scope.subresource]?.view : undefined;
    if (view) {
      const updated = await this.guaranteedUpdate(scope, dryRun, false, (current) => {
        let patched: Obj;
        try {
          patched = apply(view.toView(current));
        } catch (err) {
          throw patchFailure(err, definition, scope.name);
        }
        return view.fromView(structuredClone(current), patched);
      });
      return jsonResponse(200, view.toView(updated), warningHeaders(scope.warnings));
    }
    const updated = await this.guaranteedUpdate(scope, dryRun, () => precondition, (current) => {
      let patched: Obj;
      try {
        patched = apply(structuredClone(current));
      } catch (err) {
        throw patchFailure(err, definition, scope.name);
      }
      if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
        throw newBadRequest('the patch must produce a JSON object');
      }
      this.decodeFields(definition, patched, fieldValidation, scope.warnings, (failure) => undecodable(failure, patched));
      patched.metadata ??= {};
      if ((patched.metadata.name ?? '') !== scope.name) {
        throw newBadRequest(`the name of the object (${patched.metadata.name ?? ''}) does not match the name on the URL (${scope.name})`);
      }
      checkNamespace(patched, scope.namespace);
      this.checkTypeMeta(definition, patched);
      const rv = patched.metadata.resourceVersion;
      if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) {
        // a resourceVersion in the patch is a precondition
        precondition = true;
        throw newConflict(groupResource(definition), scope.name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      return patched;
    });
    return this.respondObject(definition, 200, updated, { kind: 'object' }, scope);
  }

  private async apply(scope: RestScope, body: Uint8Array, dryRun: boolean, fieldValidation: FieldValidation): Promise<ApiResponse> {
    const { definition } = scope.resource;
    const fieldManager = this.options.fieldManager!;
    const manager = scope.query.get('fieldManager') ?? '';
    if (manager === '') {
      throw newInvalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [
        { type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' },
      ]);
    }
    const force = scope.query.get('force') === 'true';
    const applied = decodeApplyConfiguration(body);
    checkAppliedKind(definition, applied);
    if ((applied.metadata.name ?? '') !== scope.name) {
      throw newBadRequest(`the name of the object (${applied.metadata.name ?? ''}) does not match the name on the URL (${scope.name})`);
    }
    const appliedNamespace = applied.metadata.namespace ?? '';
    if (scope.namespace !== '' && appliedNamespace !== '' && appliedNamespace !== scope.namespace) {
      throw newBadRequest(`the namespace of the object (${appliedNamespace}) does not match the namespace on the request (${scope.namespace})`);
    }
    this.pruneUnknownFields(definition, applied, fieldValidation, scope.warnings);
    const store = requireStore(scope);
    const cluster = asCluster(scope);
    let current: Obj | undefined;
    try {
      current = toServed(definition, await store.get(cluster, scope.namespace, scope.name));
    } catch (err) {
      if (!(err instanceof StatusError) || err.code !== 404) throw err;
    }
    if (current === undefined) {
      // subresources are never created by an apply
      if (scope.subresource !== '') throw newNotFound(groupResource(definition), scope.name);
      const uid = applied.metadata.uid || undefined;
      if (uid !== undefined) {
        throw newConflict(groupResource(definition), scope.name, `uid mismatch: the provided object specified uid ${uid}, and no existing object was found`);
      }
      const created = fieldManager.apply(definition, undefined, applied, manager, force, scope.subresource);
      this.decodeApplied(definition, created, applied, fieldValidation, scope.warnings);
      return this.createObject(scope, created, dryRun);
    }
    // a resourceVersion in the configuration is a precondition, as for updates
    const precondition = applied.metadata.resourceVersion || undefined;
    const updated = await this.guaranteedUpdate(
      scope,
      dryRun,
      precondition !== undefined,
      (latest) => {
        if (precondition !== undefined && precondition !== latest.metadata.resourceVersion) {
          throw newConflict(groupResource(definition), scope.name, 'the object has been modified; please apply your changes to the latest version and try again');
        }
        const merged = fieldManager.apply(definition, latest, applied, manager, force, scope.subresource);
        this.decodeApplied(definition, merged, applied, fieldValidation, scope.warnings);
        return merged;
      },
      true,
    );
    return this.respondObject(definition, 200, updated, { kind: 'object' }, scope);
  }

  /** Create path shared by POST and create-on-apply. */
  private async createObject(scope: RestScope, object: Obj, dryRun: boolean): Promise<ApiResponse> {
    const { definition } = scope.resource;
    const store = requireStore(scope);
    const context = operationContext(scope, dryRun);
    prepareMetadataForCreate(object, definition, scope.namespace, nowTimestamp());
    definition.strategy.prepareForCreate?.(object, context);
    definition.strategy.defaults?.(object, context);
    await this.admit('CREATE', scope, object, undefined, dryRun);
    const errors = [...validateNewObjectMeta(definition, object.metadata), ...(definition.strategy.validate?.(object, context) ?? [])];
    if (errors.length > 0) throw newInvalid(groupKind(definition), object.metadata.name ?? '', errors);
    await this.validateAdmission('CREATE', scope, object, undefined, dryRun);
    if (dryRun) return this.respondObject(definition, 201, toServed(definition, withGoZeroFields(object)), { kind: 'object' }, scope);
    const created = await store.createWritten(asCluster(scope), scope.namespace, toStored(definition, object));
    return this.respondWritten(definition, 201, created, scope);
  }

  /**
   * Read-modify-write with compare-and-swap, retried on conflicts when the
   * caller gave no resourceVersion precondition (upstream `GuaranteedUpdate`).
   * `tryUpdate` receives the current object as served and returns the desired one;
   * with `applied`, that object already carries its managedFields (server-side
   * apply), which are kept rather than recomputed as an `Update`.
   */
  private async guaranteedUpdate(
    scope: RestScope,
    dryRun: boolean,
    hasPrecondition: boolean | (() => boolean),
    tryUpdate: (current: Obj) => Obj,
    applied = false,
  ): Promise<Obj> {
    const { definition } = scope.resource;
    const store = requireStore(scope);
    const cluster = asCluster(scope);
    const context = operationContext(scope, dryRun);
    for (let attempt = 1; ; attempt++) {
      const currentStored = await store.get(cluster, scope.namespace, scope.name);
      // both as their Go type writes them (an object stored before it had every member, a body without them): a body
      // that leaves a member unset changes nothing more than one that sends it empty
      const current = withGoZeroFields(toServed(definition, currentStored));
      const revision = Number(currentStored.metadata.resourceVersion);
      let next = tryUpdate(current);
      const appliedManagedFields = applied ? next.metadata?.managedFields : undefined;
      next.metadata ??= {};
      next.apiVersion = apiVersionOf(definition);
      next.kind = definition.kind;
      next = withGoZeroFields(next);
      const subresource = scope.subresource === '' ? undefined : definition.subresources[scope.subresource];
      if (subresource?.view) {
        // fromView produced the whole object
      } else if (subresource?.merge) {
        next = subresource.merge(current, next);
        if (applied) {
          if (appliedManagedFields === undefined) delete next.metadata.managedFields;
          else next.metadata.managedFields = appliedManagedFields;
        }
      } else if (definition.strategy.statusSubresource) {
        if (current['status'] === undefined) delete next['status'];
        else next['status'] = structuredClone(current['status']);
      }
      prepareMetadataForUpdate(next, current, definition);
      // the main resource and views of the spec (/scale) move the generation; /status never does
      const writesSpec = !subresource || subresource.view !== undefined;
      if (definition.strategy.tracksGeneration && writesSpec && specChanged(next, current, definition.strategy.statusSubresource)) {
        next.metadata.generation = (current.metadata.generation ?? 0) + 1;
      }
      if (!subresource) definition.strategy.prepareForUpdate?.(next, current, context);
      definition.strategy.defaults?.(next, context);
      await this.admit('UPDATE', scope, next, current, dryRun);
      const errors: FieldError[] = [
        ...validateUpdatedObjectMeta(next.metadata, current.metadata),
        ...(definition.strategy.validateUpdate?.(next, current, context) ?? []),
      ];
      if (errors.length > 0) throw newInvalid(groupKind(definition), scope.name, errors);
      await this.validateAdmission('UPDATE', scope, next, current, dryRun);
      if (this.options.fieldManager && !applied) next = this.options.fieldManager.update(definition, next, current, fieldManagerOf(scope), scope.subresource);
      next.metadata.resourceVersion = current.metadata.resourceVersion!;
      // the store adds the cluster annotation: a body without it changes nothing more than one with it
      next = withClusterAnnotation(next, cluster);
      if (jsonEqual(next, current)) return current;
      if (dryRun) return next;
      try {
        if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0 && (definition.strategy.deletion?.readyToDelete(next) ?? true)) {
          // the last finalizer is gone: the object goes now
          const deleted = await store.delete(cluster, scope.namespace, scope.name, revision);
          return toServed(definition, { ...toStored(definition, next), metadata: { ...next.metadata, resourceVersion: deleted.metadata.resourceVersion! } });
        }
        return toServed(definition, await store.update(cluster, scope.namespace, toStored(definition, next), revision));
      } catch (err) {
        const precondition = typeof hasPrecondition === 'function' ? hasPrecondition() : hasPrecondition;
        if (isConflict(err) && !precondition && attempt < MAX_CONFLICT_RETRIES) continue;
        throw err;
      }
    }
  }

  async delete(scope: RestScope): Promise<ApiResponse> {
    const { definition } = scope.resource;
    if (scope.cluster === '*') throw wildcardWrite(definition);
    const store = requireStore(scope);
    const cluster = asCluster(scope);
    const body = await scope.request.readBody(this.options.maxBodyBytes);
    const bodyObject = body.length > 0 ? (parseJson(body) as Record<string, unknown>) : undefined;
    const options = parseDeleteOptions(scope.query, bodyObject);
    const result = await this.deleteOne(scope, store, cluster, scope.name, options);
    return result.pending || definition.returnDeletedObject
      ? this.respondObject(definition, 200, result.object, { kind: 'object' }, scope)
      : jsonResponse(200, deleteStatus(definition, result.object), warningHeaders(scope.warnings));
  }

  /**
   * Deletes one object: preconditions, then either a graceful deletion
   * (deletionTimestamp, when finalizers remain or the type defers it) or
   * removal. Retries on conflicts.
   */
  private async deleteOne(
    scope: RestScope,
    store: ResourceStore,
    cluster: ClusterName,
    name: string,
    options: DeleteOptions,
  ): Promise<{ object: Obj; pending: boolean }> {
    const { definition } = scope.resource;
    for (let attempt = 1; ; attempt++) {
      const currentStored = await store.get(cluster, scope.namespace, name);
      const current = toServed(definition, currentStored);
      const revision = Number(currentStored.metadata.resourceVersion);
      const pre = options.preconditions;
      // upstream BeforeDelete: the qualified kind, not the resource, names the object
      const kindResource = { group: definition.group, resource: definition.kind };
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw newConflict(
          kindResource,
          name,
          `the UID in the precondition (${pre.uid}) does not match the UID in record (${current.metadata.uid ?? ''}). The object might have been deleted and then recreated`,
        );
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw newConflict(
          kindResource,
          name,
          `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${current.metadata.resourceVersion ?? ''}). The object might have been modified`,
        );
      }
      const deleteScope = { ...scope, name };
      await this.validateAdmission('DELETE', deleteScope, undefined, current, options.dryRun);
      if (current.metadata.deletionTimestamp) return { object: current, pending: true };
      const now = nowTimestamp();
      let graceful: Obj | undefined = definition.strategy.deletion?.beginDeletion(structuredClone(current), now);
      const finalizers = [...(graceful ?? current).metadata.finalizers ?? []];
      if (options.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
      if (options.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
      if (!graceful && finalizers.length > 0) graceful = structuredClone(current);
      try {
        if (graceful) {
          graceful.metadata.finalizers = finalizers;
          if (finalizers.length === 0) delete graceful.metadata.finalizers;
          graceful.metadata.deletionTimestamp = now;
          graceful.metadata.deletionGracePeriodSeconds = 0;
          if (definition.strategy.tracksGeneration) graceful.metadata.generation = (current.metadata.generation ?? 0) + 1;
          if (options.dryRun) return { object: graceful, pending: true };
          const written = await store.update(cluster, scope.namespace, toStored(definition, graceful), revision);
          return { object: toServed(definition, written), pending: true };
        }
        if (options.dryRun) return { object: current, pending: false };
        const deleted = await store.delete(cluster, scope.namespace, name, revision);
        return { object: toServed(definition, deleted), pending: false };
      } catch (err) {
        if (isConflict(err) && !pre?.resourceVersion && attempt < MAX_CONFLICT_RETRIES) continue;
        throw err;
      }
    }
  }

  async deleteCollection(scope: RestScope): Promise<ApiResponse> {
    const { definition } = scope.resource;
    if (scope.cluster === '*') throw wildcardWrite(definition);
    const store = requireStore(scope);
    const cluster = asCluster(scope);
    const body = await scope.request.readBody(this.options.maxBodyBytes);
    const bodyObject = body.length > 0 ? (parseJson(body) as Record<string, unknown>) : undefined;
    const options = parseDeleteOptions(scope.query, bodyObject);
    const listOptions = parseListOptions(scope.query);
    checkFieldSelector(definition, listOptions.fieldSelector);
    const filter = objectFilter(definition, scope.namespace, listOptions.labelSelector, listOptions.fieldSelector);
    const { items } = await this.listFromStore(store, scope, filter, 0, undefined, undefined);
    const deleted: Obj[] = [];
    for (const item of items) {
      try {
        const result = await this.deleteOne({ ...scope, namespace: item.metadata.namespace ?? '' }, store, cluster, item.metadata.name ?? '', options);
        deleted.push(result.object);
      } catch (err) {
        if (err instanceof StatusError && err.code === 404) continue;
        throw err;
      }
    }
    return jsonResponse(
      200,
      { kind: definition.listKind, apiVersion: apiVersionOf(definition), metadata: {}, items: deleted.map((o) => toListItem(definition, o)) },
      warningHeaders(scope.warnings),
    );
  }

  private decodeBody(scope: RestScope, body: Uint8Array): Obj {
    const { definition } = scope.resource;
    let object = decodeRequestObject(header(scope, 'content-type'), body, { kind: definition.kind, apiVersion: apiVersionOf(definition) }) as Obj;
    checkRequestTypeMeta(definition, object, this.options.kinds);
    // apiVersion and kind go first, as Go writes them: a list item's are cut off the front of its JSON (listItemJson)
    if (!leadsWithTypeMeta(object)) object = { apiVersion: '', kind: '', ...object };
    object.apiVersion = apiVersionOf(definition);
    object.kind = definition.kind;
    if (typeof object.metadata !== 'object' || object.metadata === null || Array.isArray(object.metadata)) {
      if (object.metadata !== undefined) throw newBadRequest('metadata must be an object');
      object.metadata = {};
    }
    return object;
  }

  /** A body's apiVersion and kind, when given, must be the URL's. */
  private checkTypeMeta(definition: ResourceDefinition, object: Obj): void {
    const expected = apiVersionOf(definition);
    if (object.apiVersion !== undefined && object.apiVersion !== '' && object.apiVersion !== expected) {
      throw newBadRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${expected})`);
    }
    if (object.kind !== undefined && object.kind !== '' && object.kind !== definition.kind) {
      throw newBadRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${definition.kind})`);
    }
  }

  /**
   * Decodes a request object as its kind's type (`decodeFields`): a value of
   * the wrong type fails the request (`undecodable` words it as the request's
   * upstream decoder does), unknown fields are removed and then refused or
   * warned about as `fieldValidation` says.
   */
  private decodeFields(
    definition: ResourceDefinition,
    object: Obj,
    validation: FieldValidation,
    warnings: string[],
    undecodable: (failure: GoDecodeFailure) => StatusError,
  ): void {
    const decoded = this.options.decodeFields?.(definition, object);
    if (!decoded) return;
    if (decoded.failure) throw undecodable(decoded.failure);
    reportUnknownFields(decoded.unknown, validation, warnings);
  }

  /**
   * An apply configuration is not decoded as the kind's Go type (server-side
   * apply checks its types itself, with its own errors): only its unknown
   * fields are removed and reported.
   */
  private pruneUnknownFields(definition: ResourceDefinition, object: Obj, validation: FieldValidation, warnings: string[]): void {
    reportUnknownFields(this.options.pruneUnknownFields?.(definition, object) ?? [], validation, warnings);
  }

  /**
   * The object an apply produced, decoded as the kind's Go type, as upstream's
   * field manager converts it back (`toVersioned`): quantities and bytes take
   * their canonical form. A value Go cannot hold fails the request as there,
   * with a 500.
   */
  private decodeApplied(definition: ResourceDefinition, merged: Obj, applied: Obj, validation: FieldValidation, warnings: string[]): void {
    this.decodeFields(definition, merged, validation, warnings, (failure) => {
      const gvk = `${definition.group}/${definition.version}, Kind=${definition.kind}`;
      const where = `${applied.metadata.namespace ?? ''}/${applied.metadata.name ?? ''}; ${gvk}`;
      return newInternalError(`failed to convert new object (${where}) to proper version: ${failure.converter}`);
    });
  }

  private async admit(operation: AdmissionOperation, scope: RestScope, object: Obj | undefined, oldObject: Obj | undefined, dryRun: boolean): Promise<void> {
    await this.options.admission.admit(admissionAttributes(operation, scope, object, oldObject, dryRun));
  }

  private async validateAdmission(operation: AdmissionOperation, scope: RestScope, object: Obj | undefined, oldObject: Obj | undefined, dryRun: boolean): Promise<void> {
    await this.options.admission.validate(admissionAttributes(operation, scope, object, oldObject, dryRun));
  }

  private respondObject(definition: ResourceDefinition, status: number, object: Obj, format: OutputFormat, scope: RestScope): ApiResponse {
    const headers = warningHeaders(scope.warnings);
    if (format.kind === 'table') {
      return jsonResponse(status, buildTable(definition, [object], { version: format.version, includeObject: format.includeObject, listMeta: { resourceVersion: object.metadata.resourceVersion ?? '' } }), headers);
    }
    if (format.kind === 'partialMetadata') return jsonResponse(status, partialObjectMetadata(object, format.version), headers);
    return jsonResponse(status, object, headers);
  }

  /** A written object as the answer: its JSON as written when it is served as stored (no decoding), else decoded and served. */
  private respondWritten(definition: ResourceDefinition, status: number, written: WrittenObject, scope: RestScope): ApiResponse {
    if (servedAsStored(definition, written.apiVersion, written.kind)) return jsonTextResponse(status, written.json, warningHeaders(scope.warnings));
    return this.respondObject(definition, status, toServed(definition, decodeObject(written.kv)), { kind: 'object' }, scope);
  }

  private respondList(definition: ResourceDefinition, items: Obj[], listMeta: Record<string, unknown>, format: OutputFormat): ApiResponse {
    refuseMetadataForm(format, true, definition);
    if (format.kind === 'table') {
      return jsonResponse(200, buildTable(definition, items, { version: format.version, includeObject: format.includeObject, listMeta }));
    }
    if (format.kind === 'partialMetadata') {
      return jsonResponse(200, {
        kind: 'PartialObjectMetadataList',
        apiVersion: `meta.k8s.io/${format.version}`,
        metadata: listMeta,
        items: items.map((o) => partialObjectMetadata(o, format.version)),
      });
    }
    return jsonResponse(200, { kind: definition.listKind, apiVersion: apiVersionOf(definition), metadata: listMeta, items: items.map((o) => toListItem(definition, o)) });
  }
}

/** Unknown fields, refused (`Strict`) or reported as warnings (`Warn`). */
function reportUnknownFields(unknown: readonly string[], validation: FieldValidation, warnings: string[]): void {
  if (unknown.length === 0 || validation === 'Ignore') return;
  const messages = unknown.map((path) => `unknown field "${path}"`);
  if (validation === 'Strict') throw newBadRequest(`strict decoding error: ${messages.join(', ')}`);
  warnings.push(...messages);
}

/** A create or update body that does not decode as its kind (upstream `transformDecodeError`). */
function cannotBeHandled(definition: ResourceDefinition): (failure: GoDecodeFailure) => StatusError {
  return (failure) =>
    newBadRequest(`${definition.kind} in version ${JSON.stringify(definition.version)} cannot be handled as a ${definition.kind}: ${failure.json}`);
}

/** The patched document as upstream's patch library writes it: its top-level members sorted (a Go map). */
function patchedText(patched: Obj): string {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(patched).sort()) sorted[key] = patched[key];
  return JSON.stringify(sorted);
}

/** A patched object that does not decode as its kind: 422 on the field `patch` (upstream's patch handler). */
function invalidPatch(patched: string, detail: string): StatusError {
  return newInvalid({ group: '', kind: '' }, '', [{ type: 'FieldValueInvalid', field: 'patch', badValue: patched, detail }]);
}

/** Upstream `checkName`'s namespace rule: a namespace in the body, when set, must be the request's. */
function checkNamespace(object: Obj, namespace: string): void {
  const objectNamespace = object.metadata.namespace ?? '';
  if (namespace !== '' && objectNamespace !== '' && objectNamespace !== namespace) {
    throw newBadRequest(`the namespace of the object (${objectNamespace}) does not match the namespace on the request (${namespace})`);
  }
}

function requireStore(scope: RestScope): ResourceStore {
  const store = scope.resource.store;
  if (!store) throw newMethodNotSupported(groupResource(scope.resource.definition), scope.request.method.toLowerCase());
  return store;
}

function asCluster(scope: RestScope): ClusterName {
  if (scope.cluster === '*') throw wildcardWrite(scope.resource.definition);
  return scope.cluster;
}

function wildcardWrite(definition: ResourceDefinition): StatusError {
  const err = newMethodNotSupported(groupResource(definition), 'write');
  return new StatusError({ ...err.status, message: `${err.status.message ?? ''} in the \`*\` logical cluster` });
}

function header(scope: RestScope, name: string): string | undefined {
  const value = scope.request.headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

function fieldManagerOf(scope: RestScope): string {
  const explicit = scope.query.get('fieldManager');
  if (explicit) return explicit;
  const agent = header(scope, 'user-agent') ?? 'unknown';
  return agent.split('/')[0]!.slice(0, 128);
}

function operationContext(scope: RestScope, dryRun: boolean): OperationContext {
  return { cluster: scope.cluster as ClusterName, user: scope.user, namespace: scope.namespace, subresource: scope.subresource, dryRun, warnings: scope.warnings };
}

function admissionAttributes(operation: AdmissionOperation, scope: RestScope, object: Obj | undefined, oldObject: Obj | undefined, dryRun: boolean) {
  return {
    operation,
    definition: scope.resource.definition,
    cluster: scope.cluster as ClusterName,
    namespace: scope.namespace,
    name: scope.name || (object?.metadata.name ?? ''),
    subresource: scope.subresource,
    user: scope.user,
    dryRun,
    object,
    oldObject,
    warnings: scope.warnings,
  };
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * An apply configuration: a YAML (or JSON) object, else 400 with upstream's
 * `error decoding YAML: …` wording. kubectl sends JSON, which JSON.parse
 * reads as YAML 1.2 would, only much faster.
 */
function decodeApplyConfiguration(body: Uint8Array): Obj {
  let text: string;
  try {
    text = utf8Decoder.decode(body);
  } catch {
    throw newBadRequest('error decoding YAML: the request body is not valid UTF-8');
  }
  let value: unknown;
  let parsed = false;
  if (/^\s*\{/.test(text)) {
    try {
      value = JSON.parse(text);
      parsed = true;
    } catch {
      // not JSON after all: the YAML parser decides
    }
  }
  if (!parsed) {
    try {
      value = parseYaml(text, { maxAliasCount: 100, uniqueKeys: false });
    } catch (err) {
      const error = err as { message?: string; linePos?: Array<{ line: number }> };
      const reason = (error.message ?? String(err)).split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      const line = error.linePos?.[0]?.line;
      throw newBadRequest(`error decoding YAML: error converting YAML to JSON: yaml: ${line === undefined ? '' : `line ${line}: `}${reason}`);
    }
  }
  const line = yamlSurrogateEscapeLine(text, value);
  if (line !== undefined) throw newBadRequest(`error decoding YAML: error converting YAML to JSON: yaml: line ${line}: found invalid Unicode character escape code`);
  value ??= {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value;
    throw newBadRequest(`error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
  }
  const applied = value as Record<string, unknown>;
  const metadata = applied['metadata'];
  if (metadata === undefined || metadata === null) applied['metadata'] = {};
  else if (typeof metadata !== 'object' || Array.isArray(metadata)) throw newBadRequest('error decoding YAML: metadata must be an object');
  return applied as Obj;
}

/** 415 listing the patch types the resource accepts (apply-patch+yaml when server-side apply is served). */
function unsupportedPatch(definition: ResourceDefinition, applySupported: boolean): StatusError {
  const accepted = [PATCH_JSON, PATCH_MERGE, ...(definition.patchMeta ? [PATCH_STRATEGIC] : []), ...(applySupported ? [PATCH_APPLY_YAML] : [])];
  return newUnsupportedMediaType(accepted);
}

/**
 * A patch that does not apply, as upstream answers: a JSON Patch whose
 * operations fail (a `test` that does not hold, a missing path, an unknown
 * op) is 422 `the server rejected our request due to an error in our
 * request`; merge and strategic patches are 400 when malformed, 422 when
 * unprocessable.
 */
function patchFailure(err: unknown, _definition: ResourceDefinition, _name: string): StatusError {
  if (isPatchError(err)) {
    if (err.patchType === 'json') return newGenericServerResponse(422, '', { group: '', resource: '' }, '', err.message, 0, false);
    return err.toStatusError();
  }
  if (err instanceof StatusError) return err;
  return newBadRequest(String((err as Error)?.message ?? err));
}

function deleteStatus(definition: ResourceDefinition, object: Obj): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name: object.metadata.name ?? '',
      ...(definition.group !== '' ? { group: definition.group } : {}),
      kind: definition.resource,
      uid: object.metadata.uid ?? '',
    },
  };
}

/** Whether `apiVersion` and `kind` are the first two members of an object, in either order. */
function leadsWithTypeMeta(object: Obj): boolean {
  let seen = 0;
  for (const key in object) {
    if (key !== 'apiVersion' && key !== 'kind') return false;
    if (++seen === 2) return true;
  }
  return false;
}

/** `JSON.stringify({ kind, apiVersion, metadata, items })` of a list whose items are serialized already. */
function listJson(definition: ResourceDefinition, listMeta: Record<string, unknown>, items: readonly string[]): string {
  const envelope = JSON.stringify({ kind: definition.listKind, apiVersion: apiVersionOf(definition), metadata: listMeta, items: [] });
  // `items` is the last member: the envelope ends with `[]}`
  return `${envelope.slice(0, -2)}${items.join(',')}]}`;
}

/** A JSON response whose body is already serialized (as `jsonResponse` would have written it). */
function jsonTextResponse(status: number, json: string, headers: Record<string, string | string[]>): ApiResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: json };
}

/** `Warning: 299 - "<message>"` headers, as kube-apiserver sends them. */
export function warningHeaders(warnings: readonly string[]): Record<string, string | string[]> {
  if (warnings.length === 0) return {};
  return { warning: [...new Set(warnings)].map((w) => `299 - ${JSON.stringify(w)}`) };
}
