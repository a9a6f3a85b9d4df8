import { validateCount } from './arguments';
import { type StorageError, storageErrors } from './errors';
import { prefixEnd, validatePrefix } from './keys';
import type { WatchEvent, WatchOptions } from './store';

/**
 * What a {@link WatchHub} needs from its engine: committed history, read
 * synchronously so that a read and the switch to live events cannot have a
 * commit between them.
 */
export interface WatchHistory {
  /**
   * The events with a key in `[start, end)` and a revision greater than
   * `afterRevision`, oldest first, at most `limit`. Throws `Compacted` when
   * `afterRevision` is older than the retained history. Sees exactly the
   * commits already published to the hub.
   */
  readEvents(start: string, end: string | undefined, afterRevision: number, limit: number): WatchEvent[];
  /** The newest revision published to the hub. */
  currentRevision(): number;
}

/** Tuning of a {@link WatchHub}. */
export interface WatchHubOptions {
  /** Progress interval of watches that do not set one (0: never). */
  readonly progressIntervalMs: number;
  /**
   * Events a watch may buffer for a consumer that does not keep up. Beyond
   * that the buffer is dropped and the watch re-reads the history from its
   * last delivered event when the consumer comes back (etcd's "unsynced"
   * watchers), so a slow consumer costs no memory; it fails with `Compacted`
   * only if that history has been compacted meanwhile.
   */
  readonly maxBufferedEvents: number;
  /** Events read from the history per step of a catch-up. */
  readonly catchUpBatchSize: number;
}

/** The hub tuning of an engine from its options, with the defaults every engine shares. */
export function watchHubOptions(options: { readonly watchProgressIntervalMs?: number; readonly maxBufferedWatchEvents?: number }): WatchHubOptions {
  return {
    progressIntervalMs: options.watchProgressIntervalMs ?? 10_000,
    maxBufferedEvents: options.maxBufferedWatchEvents ?? 10_000,
    catchUpBatchSize: 1000,
  };
}

/** The revision an event happened at. */
export function eventRevision(event: WatchEvent): number {
  switch (event.type) {
    case 'put':
      return event.kv.modRevision;
    case 'delete':
    case 'progress':
      return event.revision;
  }
}

function eventKey(event: WatchEvent): string | undefined {
  return event.type === 'put' ? event.kv.key : event.type === 'delete' ? event.key : undefined;
}

/**
 * In-process watch fan-out for the engines of this package. An engine calls
 * {@link WatchHub.publish} synchronously after every commit; each watch first
 * catches up from the history (`afterRevision` onwards), then takes live
 * events, and falls back to the history again if its consumer lags.
 */
export class WatchHub {
  readonly #watchers = new Set<Watcher>();
  /** why watches are refused once closed (`Closed`, or the engine's failure) */
  #closed: StorageError | undefined;

  constructor(
    private readonly history: WatchHistory,
    private readonly keyPrefix: string,
    private readonly options: WatchHubOptions,
  ) {}

  /** How many watches are registered (a leak check for tests). */
  get activeCount(): number {
    return this.#watchers.size;
  }

  /** A lazily started watch: each iteration registers its own watcher. */
  watch(prefix: string, options: WatchOptions): AsyncIterable<WatchEvent> {
    return { [Symbol.asyncIterator]: () => this.#open(prefix, options) };
  }

  /** Hands committed events (in revision order, all up to `revision`) to every live watcher. */
  publish(events: readonly WatchEvent[], revision: number): void {
    for (const watcher of this.#watchers) watcher.offer(events, revision);
  }

  /** Ends every watch; later ones fail with `reason` (default `Closed`). */
  close(reason: StorageError = storageErrors.closed()): void {
    this.#closed ??= reason;
    for (const watcher of [...this.#watchers]) watcher.finish();
  }

  #open(prefix: string, options: WatchOptions): AsyncIterator<WatchEvent> {
    try {
      if (this.#closed !== undefined) throw this.#closed;
      validatePrefix(this.keyPrefix, prefix);
      validateCount(options.afterRevision, 'afterRevision');
      if (options.progressIntervalMs !== undefined) validateCount(options.progressIntervalMs, 'progressIntervalMs');
    } catch (err) {
      return failed(err);
    }
    const watcher = new Watcher(
      this.history,
      prefix,
      options.afterRevision,
      options.progressIntervalMs ?? this.options.progressIntervalMs,
      this.options,
      () => this.#watchers.delete(watcher),
    );
    if (options.signal?.aborted) return watcher.finished();
    this.#watchers.add(watcher);
    watcher.attach(options.signal);
    return watcher;
  }
}

function failed(err: unknown): AsyncIterator<WatchEvent> {
  let thrown = false;
  return {
    next: async () => {
      if (thrown) return { done: true, value: undefined };
      thrown = true;
      throw err;
    },
    return: async () => ({ done: true, value: undefined }),
  };
}

class Watcher implements AsyncIterator<WatchEvent> {
  readonly #start: string;
  readonly #end: string | undefined;
  /** Events read but not yet delivered; `#head` is the next one. */
  #queue: WatchEvent[] = [];
  #head = 0;
  /** Re-reading the history rather than taking live events. */
  #lagging = true;
  /**
   * Every event of the range up to this revision is delivered or queued (when
   * not lagging), or has been read from the history (when lagging).
   */
  #horizon: number;
  #delivered: number;
  #lastActivity = Date.now();
  #done = false;
  #wake: (() => void) | undefined;
  #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.finish();
  /** Serialises `next()` calls made without awaiting the previous one. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly history: WatchHistory,
    prefix: string,
    afterRevision: number,
    private readonly progressIntervalMs: number,
    private readonly options: WatchHubOptions,
    private readonly unregister: () => void,
  ) {
    this.#start = prefix;
    this.#end = prefixEnd(prefix);
    this.#horizon = afterRevision;
    this.#delivered = afterRevision;
  }

  attach(signal: AbortSignal | undefined): void {
    this.#signal = signal;
    signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  finished(): this {
    this.#done = true;
    return this;
  }

  #inRange(key: string): boolean {
    // keys are valid text, so startsWith agrees with the [start, end) byte range
    return key.startsWith(this.#start);
  }

  offer(events: readonly WatchEvent[], revision: number): void {
    if (this.#done || this.#lagging) return;
    let added = false;
    for (const event of events) {
      const key = eventKey(event);
      if (key === undefined || !this.#inRange(key)) continue;
      if (eventRevision(event) <= this.#horizon) continue;
      this.#queue.push(event);
      added = true;
    }
    if (revision > this.#horizon) this.#horizon = revision;
    if (this.#queue.length - this.#head > this.options.maxBufferedEvents) {
      this.#queue = [];
      this.#head = 0;
      this.#lagging = true;
      this.#horizon = this.#delivered;
      added = true;
    }
    if (added) this.#wake?.();
  }

  finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#queue = [];
    this.#head = 0;
    this.unregister();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#wake?.();
  }

  next(): Promise<IteratorResult<WatchEvent>> {
    const result = this.#tail.then(() => this.#next());
    this.#tail = result.catch(() => undefined);
    return result;
  }

  async return(): Promise<IteratorResult<WatchEvent>> {
    this.finish();
    return { done: true, value: undefined };
  }

  async #next(): Promise<IteratorResult<WatchEvent>> {
    while (true) {
      if (this.#done) return { done: true, value: undefined };
      if (this.#head < this.#queue.length) {
        const event = this.#queue[this.#head]!;
        this.#head++;
        if (this.#head === this.#queue.length) {
          this.#queue = [];
          this.#head = 0;
        }
        this.#delivered = eventRevision(event);
        this.#lastActivity = Date.now();
        return { done: false, value: event };
      }
      if (this.#lagging) {
        this.#catchUp();
        continue;
      }
      const timedOut = await this.#idle();
      if (timedOut && !this.#done && !this.#lagging && this.#head === this.#queue.length) {
        this.#lastActivity = Date.now();
        return { done: false, value: { type: 'progress', revision: this.#horizon } };
      }
    }
  }

  #catchUp(): void {
    const batchSize = this.options.catchUpBatchSize;
    let batch: WatchEvent[];
    try {
      batch = this.history.readEvents(this.#start, this.#end, this.#horizon, batchSize);
    } catch (err) {
      this.finish();
      throw err;
    }
    for (const event of batch) this.#queue.push(event);
    const last = batch[batch.length - 1];
    if (last !== undefined) this.#horizon = eventRevision(last);
    if (batch.length < batchSize) {
      // nothing newer is committed: from here on, live events complete the picture
      this.#lagging = false;
      this.#horizon = Math.max(this.#horizon, this.history.currentRevision());
    }
  }

  /** Waits for events, the end, or the progress interval; resolves `true` when the interval passed. */
  #idle(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.#wake = () => {
        this.#wake = undefined;
        if (timer !== undefined) clearTimeout(timer);
        resolve(false);
      };
      if (this.progressIntervalMs > 0) {
        const delay = Math.max(0, this.#lastActivity + this.progressIntervalMs - Date.now());
        timer = setTimeout(() => {
          this.#wake = undefined;
          resolve(true);
        }, delay);
        timer.unref();
      }
    });
  }
}
