import { type GroupResource, StatusError, formatGroupResource, newBadRequest, newNotFound, newResourceExpired } from '@kcp-ts/apimachinery';
import { goQuote } from '@kcp-ts/topology';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import { CLUSTER_ANNOTATION } from '@kcp-ts/logicalcluster';
import { type KeyValue, type ListResult, type Store, decodeContinueToken, encodeContinueToken, isStorageError } from '@kcp-ts/storage';
import type { Obj, StorageLayout } from '../registry/types';
import { statusFromStorageError } from './storage-errors';


const CONTINUE_EXPIRED = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter';
const decoder = new TextDecoder();

/** The storage key of an object: `<prefix><cluster>/[<namespace>/]<name>`. */
export function objectKey(prefix: string, cluster: ClusterName, namespace: string, name: string): string {
  return namespace === '' ? `${prefix}${cluster}/${name}` : `${prefix}${cluster}/${namespace}/${name}`;
}

/**
 * Whether a name or namespace can be part of a storage key: the stores hold no
 * key with NUL (see `validateKey`), which upstream's path-segment names (RBAC,
 * CSRs) allow. One that cannot names no object: reads find nothing, creates
 * are refused.
 */
export function storable(part: string): boolean {
  return !part.includes('\0');
}

/** The key prefix of a collection: one cluster (and namespace), or every cluster for `*`. */
export function collectionPrefix(prefix: string, cluster: ClusterName | '*', namespace: string): string {
  if (cluster === '*') return prefix;
  return namespace === '' ? `${prefix}${cluster}/` : `${prefix}${cluster}/${namespace}/`;
}

/** Stored form of an object: JSON without `resourceVersion` (the revision is the version). */
export function encodeObject(object: Obj): Uint8Array {
  return utf8(storedText(object).text);
}

/**
 * The stored JSON of an object (`JSON.stringify({...object, metadata})` with
 * `metadata` lacking `resourceVersion`), written member by member so the
 * position of the brace closing `metadata` is known: {@link servedText} puts
 * the resourceVersion there without parsing the text again.
 */
function storedText(object: Obj): { text: string; metadataEnd: number } {
  const { resourceVersion: _rv, ...metadata } = object.metadata ?? {};
  const metadataText = JSON.stringify(metadata);
  let text = '{';
  let metadataEnd = -1;
  const member = (name: string, value: string) => {
    if (text.length > 1) text += ',';
    text += `${JSON.stringify(name)}:`;
    if (name === 'metadata') metadataEnd = text.length + value.length - 1;
    text += value;
  };
  let sawMetadata = false;
  for (const name of Object.keys(object)) {
    if (name === 'metadata') {
      sawMetadata = true;
      member(name, metadataText);
      continue;
    }
    // JSON.stringify leaves out members whose value has no JSON form (undefined, functions, symbols)
    const value = JSON.stringify(object[name]) as string | undefined;
    if (value !== undefined) member(name, value);
  }
  // a spread adds `metadata` last when the object has none of its own
  if (!sawMetadata) member('metadata', metadataText);
  return { text: `${text}}`, metadataEnd };
}

/** UTF-8 bytes of JSON text (well-formed: JSON.stringify escapes lone surrogates), as TextEncoder would encode them, in half the time. */
function utf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

/**
 * The JSON of a stored object as read back (`JSON.stringify(decodeObject(kv))`):
 * `metadata` gains `resourceVersion` as its last member. JSON.stringify's
 * output is a fixed point of parsing and stringifying again, so only that
 * member differs from the stored text.
 */
function servedText(stored: { text: string; metadataEnd: number }, revision: number): string {
  const { text, metadataEnd } = stored;
  const separator = text[metadataEnd - 1] === '{' ? '' : ',';
  return `${text.slice(0, metadataEnd)}${separator}"resourceVersion":"${revision}"${text.slice(metadataEnd)}`;
}

/** An object read from the store, with `metadata.resourceVersion` = its mod revision. */
export function decodeObject(kv: KeyValue): Obj {
  const object = JSON.parse(decoder.decode(kv.value)) as Obj;
  const metadata = object.metadata as unknown;
  if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)) {
    // the same as a copy with resourceVersion added (a new member goes last; an existing one keeps its place)
    object.metadata.resourceVersion = String(kv.modRevision);
  } else {
    object.metadata = { ...object.metadata, resourceVersion: String(kv.modRevision) };
  }
  return object;
}

/**
 * What a write stored, with the object's JSON as read back
 * (`JSON.stringify(decodeObject(kv))`) built from the written text instead
 * of decoding it.
 */
export interface WrittenObject {
  readonly kv: KeyValue;
  /** the written object's `apiVersion` and `kind` (whether it is served as stored depends on them) */
  readonly apiVersion: unknown;
  readonly kind: unknown;
  readonly json: string;
}

/**
 * The REST storage of one resource: objects of every logical cluster under one
 * storage prefix, read and written with compare-and-swap on their revision.
 * Storage errors are turned into Kubernetes statuses here.
 */
export class ResourceStore {
  constructor(
    readonly store: Store,
    readonly layout: StorageLayout,
    readonly resource: GroupResource,
  ) {}

  key(cluster: ClusterName, namespace: string, name: string): string {
    return objectKey(this.layout.prefix, cluster, namespace, name);
  }

  async get(cluster: ClusterName, namespace: string, name: string): Promise<Obj> {
    return decodeObject(await this.getKeyValue(cluster, namespace, name));
  }

  /** The stored key value of an object, not decoded (404 when absent). */
  async getKeyValue(cluster: ClusterName, namespace: string, name: string): Promise<KeyValue> {
    if (!storable(namespace) || !storable(name)) throw newNotFound(this.resource, name);
    let kv: KeyValue | undefined;
    try {
      kv = await this.store.get(this.key(cluster, namespace, name));
    } catch (err) {
      throw statusFromStorageError(err, this.resource, name);
    }
    if (!kv) throw newNotFound(this.resource, name);
    return kv;
  }

  /** Reads a page of a collection (a consistent read at one revision across pages). */
  async list(
    cluster: ClusterName | '*',
    namespace: string,
    options: { limit?: number; continue?: string; revision?: number },
  ): Promise<{ items: Obj[]; result: ListResult }> {
    let result: ListResult;
    const prefix = collectionPrefix(this.layout.prefix, cluster, namespace);
    if (!storable(namespace)) return { items: [], result: { items: [], revision: options.revision ?? (await this.currentRevision()), remaining: 0 } };
    try {
      result = await this.store.list(prefix, options);
    } catch (err) {
      if (isStorageError(err, 'Compacted')) throw await this.listExpired(prefix, options.continue);
      throw statusFromStorageError(err, this.resource, '');
    }
    return { items: result.items.map(decodeObject), result };
  }

  /**
   * 410 for a list at a compacted revision, as upstream's etcd3 store words
   * it; for a continue token, with a fresh token in `metadata.continue` that
   * resumes after the same key at the current revision (an inconsistent list).
   */
  private async listExpired(prefix: string, continueToken: string | undefined): Promise<StatusError> {
    if (continueToken === undefined || continueToken === '') return newResourceExpired('The resourceVersion for the provided list is too old.');
    let fresh: string | undefined;
    try {
      const { lastKey } = decodeContinueToken(prefix, continueToken);
      fresh = encodeContinueToken(prefix, { revision: await this.store.currentRevision(), lastKey });
    } catch {
      fresh = undefined;
    }
    if (fresh === undefined) return newResourceExpired(`${CONTINUE_EXPIRED}.`);
    const expired = newResourceExpired(
      `${CONTINUE_EXPIRED}, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.`,
    );
    return new StatusError({ ...expired.status, metadata: { continue: fresh } });
  }

  async create(cluster: ClusterName, namespace: string, object: Obj): Promise<Obj> {
    return decodeObject((await this.createWritten(cluster, namespace, object)).kv);
  }

  /** Creates the object; resolves with what was written and its JSON as read back, without decoding it. */
  async createWritten(cluster: ClusterName, namespace: string, object: Obj): Promise<WrittenObject> {
    const name = object.metadata.name ?? '';
    if (!storable(name)) throw newBadRequest(`${formatGroupResource(this.resource)} ${goQuote(name)} cannot be stored: a name may not contain NUL`);
    const stored = withCluster(object, cluster);
    const encoded = storedText(stored);
    let kv: KeyValue;
    try {
      kv = await this.store.create(this.key(cluster, namespace, name), utf8(encoded.text));
    } catch (err) {
      throw statusFromStorageError(err, this.resource, name);
    }
    return { kv, apiVersion: stored.apiVersion, kind: stored.kind, json: servedText(encoded, kv.modRevision) };
  }

  /** Writes `object` if the stored revision is still `revision`; 409 Conflict otherwise. */
  async update(cluster: ClusterName, namespace: string, object: Obj, revision: number): Promise<Obj> {
    const name = object.metadata.name ?? '';
    if (!storable(namespace) || !storable(name)) throw newNotFound(this.resource, name);
    try {
      const kv = await this.store.update(this.key(cluster, namespace, name), encodeObject(withCluster(object, cluster)), revision);
      return decodeObject(kv);
    } catch (err) {
      throw statusFromStorageError(err, this.resource, name);
    }
  }

  /** Removes the object if its revision is still `revision`; returns its last state at the deletion revision. */
  async delete(cluster: ClusterName, namespace: string, name: string, revision: number): Promise<Obj> {
    if (!storable(namespace) || !storable(name)) throw newNotFound(this.resource, name);
    try {
      const result = await this.store.delete(this.key(cluster, namespace, name), revision);
      return decodeObject({ ...result.prevKv, modRevision: result.revision });
    } catch (err) {
      throw statusFromStorageError(err, this.resource, name);
    }
  }

  async currentRevision(): Promise<number> {
    try {
      return await this.store.currentRevision();
    } catch (err) {
      throw statusFromStorageError(err, this.resource, '');
    }
  }
}

/** `object` carrying the `kcp.io/cluster` annotation of `cluster` (as it is stored). */
export function withClusterAnnotation(object: Obj, cluster: ClusterName): Obj {
  return withCluster(object, cluster);
}

function withCluster(object: Obj, cluster: ClusterName): Obj {
  const annotations = object.metadata.annotations;
  if (annotations?.[CLUSTER_ANNOTATION] === cluster) return object;
  return { ...object, metadata: { ...object.metadata, annotations: { ...annotations, [CLUSTER_ANNOTATION]: cluster } } };
}
