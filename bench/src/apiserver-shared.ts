// Constants and message shapes shared by apiserver.bench.ts and its child process.

/** system:masters token (setup, the logical-cluster fill). */
export const ADMIN_TOKEN = 'bench-admin-token';
/** The token of the measured user: authorized by RBAC (a ClusterRoleBinding to `edit`). */
export const USER_TOKEN = 'bench-user-token';
export const USER_NAME = 'bench-user';
export const BENCH_CLUSTER = 'bench';
export const BENCH_NAMESPACE = 'objects';
export const WATCH_NAMESPACE = 'watched';
/** objects in the listed namespace */
export const LIST_SIZE = 100;

/** A small, realistic configmap (a few hundred bytes of JSON). */
export function configMap(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { app: 'bench', tier: 'backend' } },
    data: {
      'app.properties': 'color=blue\nmode=fast\nretries=3\ntimeout=30s\n',
      'log-level': 'info',
    },
  };
}

export interface ChildMemory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

/** The server process's CPU time, µs: all threads (process.cpuUsage) and the event loop's thread alone (Linux; undefined elsewhere). */
export interface ChildCpu {
  readonly user: number;
  readonly system: number;
  readonly mainThread: number | undefined;
}

export type ChildMessage = { ready: true } | { id: number; result?: unknown; error?: string };
