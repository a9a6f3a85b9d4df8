import { writeFile } from 'node:fs/promises';
import { ApiServer, type Logger, SchemaCache, SecureServer } from '@kcp-ts/apiserver';
import { Tenancy, tenancyDefinitions } from '@kcp-ts/controllers/kcp';
import type { Store } from '@kcp-ts/storage';
import type { CompletedConfig } from './config';
import { adminKubeconfig } from './kubeconfig';

/**
 * One kcp-ts shard: the API server over its store, served over TLS, with the
 * admin kubeconfig written once it listens. `run(signal)` settles after a
 * clean shutdown (listener closed, watches ended, store closed).
 */
export class KcpServer {
  constructor(
    private readonly config: CompletedConfig,
    private readonly logger: Logger,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const { config, logger } = this;
    const store = await config.openStore();
    const host = config.externalURL.replace(/^https:\/\//, '');
    const definitions = tenancyDefinitions(new SchemaCache());
    const apiServer = new ApiServer({
      store,
      authenticator: config.authenticator,
      externalAddress: host,
      logger,
      versionSuffix: '+kcp-ts-0.1.0',
      extraBuiltins: [definitions.logicalClusters, definitions.workspaces, definitions.workspaceTypes],
      serviceAccountTokens: config.serviceAccountTokens,
      rootCA: config.rootCA,
    });
    const tenancy = new Tenancy({
      server: apiServer,
      definitions,
      shardName: config.options.shardName,
      externalURL: config.externalURL,
      logger: logger.child({ component: 'tenancy' }),
    });
    const stopApi = new AbortController();
    const running = apiServer.run(stopApi.signal);
    const tenancyRunning = apiServer.whenReady().then(() => tenancy.run(stopApi.signal));
    // etcd keeps every revision until someone compacts: like kube-apiserver, keep about
    // five minutes of history (the embedded store compacts itself)
    const compacting = config.options.etcdServers.length > 0 ? compactPeriodically(store, COMPACTION_INTERVAL_MS, stopApi.signal, logger) : undefined;
    const serving = new SecureServer(
      {
        bindAddress: config.options.bindAddress,
        port: config.options.securePort,
        cert: config.serving.cert,
        key: config.serving.key,
        ...(config.serving.clientCAs ? { clientCAs: config.serving.clientCAs } : {}),
      },
      apiServer,
    );
    try {
      await apiServer.whenReady();
      await tenancy.whenBootstrapped();
      const address = await serving.listen();
      logger.info({ address: `${address.address}:${address.port}` }, `Serving securely on https://${address.address}:${address.port}`);
      await writeFile(
        config.kubeconfigPath,
        adminKubeconfig({
          serverURL: config.externalURL,
          caData: config.servingCA,
          kcpAdminToken: config.tokens.kcpAdmin,
          shardAdminToken: config.tokens.shardAdmin,
        }),
        { mode: 0o600 },
      );
      logger.info({ path: config.kubeconfigPath }, `Wrote the admin kubeconfig to ${config.kubeconfigPath}; export KUBECONFIG=${config.kubeconfigPath}`);
      if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      logger.info('Shutting down');
    } finally {
      await serving.close();
      stopApi.abort();
      await running;
      await tenancyRunning.catch((err: unknown) => logger.error({ err }, 'tenancy controllers failed'));
      await compacting;
      await store.close();
      logger.info('Stopped');
    }
  }
}

const COMPACTION_INTERVAL_MS = 5 * 60 * 1000;

/**
 * Every interval, compacts to the revision current one interval ago, so that
 * between one and two intervals of history stay readable (kube-apiserver's
 * `--etcd-compaction-interval`).
 */
async function compactPeriodically(store: Store, intervalMs: number, signal: AbortSignal, logger: Logger): Promise<void> {
  let previous: number | undefined;
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
    if (signal.aborted) break;
    try {
      const current = await store.currentRevision();
      if (previous !== undefined) {
        await store.compact(previous);
        logger.debug({ revision: previous }, 'compacted storage');
      }
      previous = current;
    } catch (err) {
      logger.warn({ err }, 'storage compaction failed; retrying next interval');
    }
  }
}

