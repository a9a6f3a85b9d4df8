import { isStorageError } from './errors';

/** When and how much history a store keeps (kube-apiserver compacts every 5 minutes). */
export interface CompactionOptions {
  /** How often to compact, in milliseconds. Default 5 minutes. */
  intervalMs?: number;
  /** Keep at least this much history, in milliseconds. Default 5 minutes. */
  retainMs?: number;
  /** Keep at least this many revisions, whatever their age (kine's `compact-min-retain`). Default 1000. */
  minRetainRevisions?: number;
  /** Called with a compaction that failed (default: a process warning); the next run retries. */
  onError?: (err: unknown) => void;
}

/** The defaults of {@link CompactionOptions}. */
export const DEFAULT_COMPACTION = {
  intervalMs: 5 * 60_000,
  retainMs: 5 * 60_000,
  minRetainRevisions: 1000,
} as const;

interface CompactableStore {
  currentRevision(): number;
  compactedRevision(): number;
  compact(revision: number): Promise<void>;
}

/** Where a failed compaction goes: `onError`, or a process warning. */
export function compactionErrorHandler(options: CompactionOptions | false | undefined): (err: unknown) => void {
  return (
    (options !== false ? options?.onError : undefined) ??
    ((err) => process.emitWarning(err instanceof Error ? err : new Error(String(err)), 'KcpStorageCompaction'))
  );
}

/** The compactor of an engine's `compaction` option: none for `false`, the defaults when absent. */
export function periodicCompactor(options: CompactionOptions | false | undefined, store: CompactableStore): PeriodicCompactor | undefined {
  return options === false ? undefined : new PeriodicCompactor(store, options ?? {});
}

/**
 * Compacts a store on a timer, keeping a window of history. It samples the
 * store's revision at every tick and compacts to the newest sample that is at
 * least `retainMs` old, so with the defaults a watch can resume from any
 * revision of the last 5 minutes (and up to 10 minutes back).
 */
export class PeriodicCompactor {
  readonly #samples: { at: number; revision: number }[] = [];
  readonly #intervalMs: number;
  readonly #retainMs: number;
  readonly #minRetain: number;
  readonly #onError: (err: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    private readonly store: CompactableStore,
    options: CompactionOptions,
  ) {
    this.#intervalMs = options.intervalMs ?? DEFAULT_COMPACTION.intervalMs;
    this.#retainMs = options.retainMs ?? DEFAULT_COMPACTION.retainMs;
    this.#minRetain = options.minRetainRevisions ?? DEFAULT_COMPACTION.minRetainRevisions;
    this.#onError = compactionErrorHandler(options);
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (this.#running === undefined) {
        this.#running = this.tick(Date.now()).finally(() => (this.#running = undefined));
      }
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a running compaction. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One round: sample, then compact to the newest old-enough sample. */
  async tick(now: number): Promise<void> {
    const current = this.store.currentRevision();
    this.#samples.push({ at: now, revision: current });
    let target = 0;
    while (this.#samples.length > 1 && this.#samples[0]!.at <= now - this.#retainMs) {
      target = this.#samples.shift()!.revision;
    }
    if (this.#samples.length === 1 && this.#samples[0]!.at <= now - this.#retainMs) target = current;
    target = Math.min(target, current - this.#minRetain);
    if (target <= this.store.compactedRevision()) return;
    try {
      await this.store.compact(target);
    } catch (err) {
      if (!isStorageError(err, 'Closed')) this.#onError(err);
    }
  }
}
