import { isConflict, isNotFound } from '@kcp-ts/apimachinery';
import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { ServiceAccountTokenIssuer } from '../auth/service-account-tokens';
import { SERVICE_ACCOUNT_NAME_ANNOTATION, SERVICE_ACCOUNT_TOKEN_SECRET, SERVICE_ACCOUNT_UID_ANNOTATION } from '../builtin/core';
import type { Obj } from '../registry/types';
import type { ResourceRegistry } from '../registry/resource-registry';
import type { LoopbackClient } from '../server/loopback';
import type { Logger } from '../server/logger';
import { resourcePath } from './namespace-controller';
import { KeyQueue } from './queue';

const WORKERS = 4;

/**
 * kube's token controller (kcp runs it per shard, cluster-aware): a Secret of
 * type `kubernetes.io/service-account-token` naming a service account gets a
 * legacy token (`data.token`), the CA bundle (`data["ca.crt"]`), the namespace
 * and the service account's uid; it is deleted when its service account is
 * missing (or another one of the same name), and with its service account.
 * One watcher on the secrets cache and one on the service accounts cache for
 * every logical cluster.
 */
export class ServiceAccountTokenController {
  private readonly queue = new KeyQueue({ baseDelayMs: 100, maxDelayMs: 10_000 });

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly client: LoopbackClient,
    private readonly issuer: ServiceAccountTokenIssuer,
    private readonly rootCA: string | undefined,
    private readonly logger: Logger,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const secrets = this.registry.builtin('', 'v1', 'secrets').cache;
    const accounts = this.registry.builtin('', 'v1', 'serviceaccounts').cache;
    await Promise.all([secrets.whenReady(), accounts.whenReady()]);
    const stopSecrets = secrets.observe((event) => {
      if (event.type !== 'DELETED' && this.needsWork(event.object.cluster, event.object.object)) this.queue.add(`secret|${event.object.cluster}|${event.object.namespace}|${event.object.name}`);
    });
    const stopAccounts = accounts.observe((event) => {
      if (event.type === 'DELETED') this.queue.add(`account|${event.object.cluster}|${event.object.namespace}|${event.object.name}`);
    });
    for (const secret of secrets.objects('*')) {
      if (this.needsWork(secret.cluster, secret.object)) this.queue.add(`secret|${secret.cluster}|${secret.namespace}|${secret.name}`);
    }
    try {
      await this.queue.run(signal, WORKERS, (key) => {
        const [kind, cluster, namespace, name] = key.split('|') as [string, ClusterName, string, string];
        return kind === 'secret' ? this.syncSecret(cluster, namespace, name) : this.syncDeletedAccount(cluster, namespace, name);
      });
    } finally {
      stopSecrets();
      stopAccounts();
    }
  }

  /** A token secret without its token, CA, namespace or uid, or whose service account is not there (any more). */
  private needsWork(cluster: ClusterName, secret: Obj): boolean {
    if (secret['type'] !== SERVICE_ACCOUNT_TOKEN_SECRET || secret.metadata.deletionTimestamp) return false;
    const data = (secret['data'] ?? {}) as Record<string, string>;
    const annotations = secret.metadata.annotations ?? {};
    if (!data['token'] || !data['namespace'] || (this.rootCA !== undefined && !data['ca.crt']) || !annotations[SERVICE_ACCOUNT_UID_ANNOTATION]) return true;
    const account = this.account(cluster, secret.metadata.namespace ?? '', annotations[SERVICE_ACCOUNT_NAME_ANNOTATION] ?? '');
    return account === undefined || account.metadata.uid !== annotations[SERVICE_ACCOUNT_UID_ANNOTATION];
  }

  private account(cluster: ClusterName, namespace: string, name: string): Obj | undefined {
    const { cache, store } = this.registry.builtin('', 'v1', 'serviceaccounts');
    return cache.get(cluster, store.key(cluster, namespace, name))?.object;
  }

  private async syncSecret(cluster: ClusterName, namespace: string, name: string): Promise<'done' | 'requeue'> {
    const { cache, store } = this.registry.builtin('', 'v1', 'secrets');
    const secret = cache.get(cluster, store.key(cluster, namespace, name))?.object;
    if (!secret || !this.needsWork(cluster, secret)) return 'done';
    const annotations = secret.metadata.annotations ?? {};
    const accountName = annotations[SERVICE_ACCOUNT_NAME_ANNOTATION] ?? '';
    const account = this.account(cluster, namespace, accountName);
    const path = resourcePath(cluster, '', 'v1', 'secrets', namespace, name);
    const expectedUid = annotations[SERVICE_ACCOUNT_UID_ANNOTATION];
    if (!account || (expectedUid !== undefined && expectedUid !== account.metadata.uid)) {
      // a token of a service account that is not there: upstream deletes it
      return this.remove(path, secret.metadata.uid ?? '');
    }
    const uid = account.metadata.uid ?? '';
    const data = { ...((secret['data'] ?? {}) as Record<string, string>) };
    if (!data['token']) data['token'] = Buffer.from(this.issuer.issueLegacy({ cluster, namespace, name: accountName, uid, secretName: name })).toString('base64');
    if (!data['namespace']) data['namespace'] = Buffer.from(namespace).toString('base64');
    if (this.rootCA !== undefined && !data['ca.crt']) data['ca.crt'] = Buffer.from(this.rootCA).toString('base64');
    try {
      await this.client.update(path, {
        ...secret,
        metadata: { ...secret.metadata, annotations: { ...annotations, [SERVICE_ACCOUNT_UID_ANNOTATION]: uid } },
        data,
      });
    } catch (err) {
      if (isNotFound(err)) return 'done';
      if (isConflict(err)) return 'requeue';
      this.logger.warn({ err, cluster, namespace, name }, 'filling in a service account token secret failed');
      return 'requeue';
    }
    return 'done';
  }

  /** A deleted service account takes its token secrets with it. */
  private async syncDeletedAccount(cluster: ClusterName, namespace: string, name: string): Promise<'done' | 'requeue'> {
    const { cache } = this.registry.builtin('', 'v1', 'secrets');
    let result: 'done' | 'requeue' = 'done';
    for (const cached of cache.objects(cluster)) {
      const secret = cached.object;
      if (cached.namespace !== namespace || secret['type'] !== SERVICE_ACCOUNT_TOKEN_SECRET) continue;
      if (secret.metadata.annotations?.[SERVICE_ACCOUNT_NAME_ANNOTATION] !== name || this.account(cluster, namespace, name)) continue;
      if ((await this.remove(resourcePath(cluster, '', 'v1', 'secrets', namespace, cached.name), secret.metadata.uid ?? '')) === 'requeue') result = 'requeue';
    }
    return result;
  }

  private async remove(path: string, uid: string): Promise<'done' | 'requeue'> {
    try {
      await this.client.delete(path, { preconditions: { uid } });
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return 'done';
      this.logger.warn({ err, path }, 'deleting a service account token secret failed');
      return 'requeue';
    }
    return 'done';
  }
}
