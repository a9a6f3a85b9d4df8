import type { ClusterName } from '@kcp-ts/logicalcluster';
import type { Obj } from '../registry/types';
import type { CacheEvent, CacheWatcher, CacheWatcherStopReason, CachedObject } from './watch-cache';

/** Upstream's bookmarkFrequency: a watch that asked for bookmarks gets one about this often. */
export const DEFAULT_BOOKMARK_INTERVAL_MS = 60_000;
/** How long before its timeout a watch gets its last bookmark (upstream's 2 s). */
const BOOKMARK_BEFORE_TIMEOUT_MS = 2_000;

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** Turns an object into one newline-terminated watch event line. */
export interface WatchEncoder {
  /** identifies the encoding, so watchers with the same one share the bytes of an event */
  readonly key: string;
  /**
   * The key of an event type's line in `CacheEvent.encoded` (`<key>|<type>`),
   * computed once: building it for every watcher of every event is a hot spot
   * when thousands watch one resource.
   */
  memoKey(type: WatchEventType): string;
  encode(type: WatchEventType, object: Obj): string;
  /** a bookmark line at `revision` */
  bookmark(revision: number, annotations?: Record<string, string>): string;
}

/**
 * Where a pushed watch writes: the transport's response. Called synchronously
 * from the watch cache's fan-out, so it must not block.
 */
export interface WatchSink {
  /** Writes one chunk; false when the transport's buffer is full (the stream then holds further chunks until {@link PushableWatch.resume}). */
  write(chunk: Uint8Array): boolean;
  /** Ends the response after what was written. */
  end(): void;
}

/**
 * A streamed response a transport may push to instead of pulling it: the
 * watch cache then writes every event's shared encoded bytes straight to the
 * transport, with no promise or task per watcher per event.
 */
export interface PushableWatch extends AsyncIterable<string> {
  /** Writes what is queued, then every later line, to `sink`; ends it when the watch ends. */
  pushTo(sink: WatchSink): void;
  /** The sink drained: write what was held back. */
  resume(): void;
  /** The client went away: release everything (the sink is not written to again). */
  return(): Promise<IteratorResult<string>>;
}

/** Whether a stream response can be pushed to (see {@link PushableWatch}). */
export function isPushableWatch(stream: AsyncIterable<string>): stream is PushableWatch {
  return typeof (stream as Partial<PushableWatch>).pushTo === 'function';
}

export interface WatchStreamOptions {
  readonly cluster: ClusterName | '*';
  /** the namespace followed, `''` for all: the cache delivers it only its namespace's events */
  readonly namespace?: string;
  /** whether an object is visible to this watch (label and field selectors); unset: every object of the namespace */
  readonly matches?: (object: CachedObject) => boolean;
  readonly encoder: WatchEncoder;
  /** the API version the watch serves (the cache ends the watches of a version that stops being served) */
  readonly version?: string;
  /** whether the client takes bookmarks (`allowWatchBookmarks`) */
  readonly bookmarks: boolean;
  /**
   * Time between two bookmarks (default 60 s, upstream's bookmarkFrequency);
   * one also goes out 2 s before the watch's timeout. Sent by the watch
   * cache's schedule, at its one-second resolution.
   */
  readonly bookmarkIntervalMs?: number;
  /** end the stream after this long (`timeoutSeconds`) */
  readonly timeoutMs?: number;
  /**
   * The most lines held for a client that does not keep up (default 10,000):
   * one more, and the watch ends, as upstream terminates a watcher whose buffer
   * is full. Initial and replayed events are not counted: they are the state
   * and history the watch starts from, bounded by the cache.
   */
  readonly maxBufferedLines?: number;
  /** only events after this revision are delivered (a watch resuming from a revision the cache has not reached) */
  readonly afterRevision?: number;
  /** called once when the stream ends, for whatever reason */
  readonly onClose?: () => void;
}

/** A line as held: text (initial events, bookmarks, errors) or an event's shared bytes. */
type Line = string | Buffer;

/**
 * One watch as the client sees it: cache events filtered with upstream's
 * selector-transition rules (an object that stops matching is a DELETED, one
 * that starts matching an ADDED), encoded once per event and encoding — the
 * same bytes for every watcher — and buffered up to a bound: a slow or hung
 * client only ends its own watch, it never holds up the others.
 *
 * Two ways to consume it. Pulled: iterate it for the lines, `return()`
 * releases it (in-process transports). Pushed ({@link pushTo}): every line is
 * written to the transport as the cache dispatches it, synchronously; when the
 * transport's buffer is full, lines are held (up to the bound) until it drains.
 */
export class WatchStream implements CacheWatcher, PushableWatch, AsyncIterableIterator<string> {
  // the fields the fan-out reads for every event come first: they share the object's first cache lines
  /** events up to this revision are not delivered (0: none) */
  private afterRevision: number;
  private readonly matches: ((object: CachedObject) => boolean) | undefined;
  private readonly encoder: WatchEncoder;
  /** no more lines are taken; the held ones still go out */
  private closed = false;
  private sink: WatchSink | undefined;
  /** the sink's buffer is full: lines are held until it drains */
  private blocked = false;
  /** how many lines are held (`lines.length - head`) */
  private held = 0;
  readonly cluster: ClusterName | '*';
  readonly namespace: string;
  readonly version: string | undefined;
  /** when the watch times out, for the bookmark before it (ms since the epoch; 0: never, or no bookmarks) */
  private readonly deadline: number;
  /** a watch fed by a storage watch (not the cache): when its next bookmark is due at a progress notification (0: not yet known) */
  private progressBookmarkAt = 0;
  private readonly lines: Line[] = [];
  private head = 0;
  private waiting: ((result: IteratorResult<string>) => void) | undefined;
  /** the sink was ended or released */
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxBuffered: number;

  constructor(private readonly options: WatchStreamOptions) {
    this.afterRevision = options.afterRevision ?? 0;
    this.matches = options.matches;
    this.encoder = options.encoder;
    this.cluster = options.cluster;
    this.namespace = options.namespace ?? '';
    this.version = options.version;
    this.maxBuffered = options.maxBufferedLines ?? 10_000;
    this.deadline = options.bookmarks && options.timeoutMs !== undefined && options.timeoutMs > 0 ? Date.now() + options.timeoutMs : 0;
    if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
      this.timer = setTimeout(() => this.end(), options.timeoutMs);
      this.timer.unref?.();
    }
  }

  /** From now on, events up to `revision` are not delivered (they are part of the initial state already sent). */
  skipThrough(revision: number): void {
    this.afterRevision = Math.max(this.afterRevision, revision);
  }

  /** Queues a line without filtering (bookmarks, errors); false when the stream is closed or its buffer is full. */
  push(line: string): boolean {
    return this.take(line, true);
  }

  /** Queues the ADDED of an initial object (not counted against the buffer bound). */
  pushInitial(object: Obj): boolean {
    return this.take(this.encoder.encode('ADDED', object), false);
  }

  /**
   * An event from the watch cache, which hands this watch only events of its
   * cluster and namespace (the hot path of the fan-out: no allocation unless
   * this is the first watch of the event with this encoding).
   */
  deliver(event: CacheEvent): boolean {
    if (event.revision <= this.afterRevision) return true;
    const line = this.matches === undefined ? this.shared(event, event.type, event.object.object) : this.selectedLine(event, this.matches);
    return line === undefined || this.take(line, true);
  }

  /** A live event from elsewhere (a storage watch): filtered by cluster and namespace too. */
  offer(event: CacheEvent): boolean {
    return !this.follows(event) || this.deliver(event);
  }

  /**
   * Queues a past event from the cache's history (a watch resuming from a
   * resourceVersion), filtered as a live one; like initial events, not counted
   * against the buffer bound: the history bounds them.
   */
  replay(event: CacheEvent): void {
    if (event.revision <= this.afterRevision || !this.follows(event)) return;
    const line = this.lineOf(event);
    if (line !== undefined) this.take(line, false);
  }

  /** The line a cache event becomes for this watch, or `undefined` when it is not visible. */
  lineFor(event: CacheEvent): string | undefined {
    const line = this.follows(event) ? this.lineOf(event) : undefined;
    return line === undefined ? undefined : toText(line);
  }

  /** Whether an event is of this watch's cluster and namespace. */
  private follows(event: CacheEvent): boolean {
    const object = event.object;
    return (this.cluster === '*' || object.cluster === this.cluster) && (this.namespace === '' || object.namespace === this.namespace);
  }

  private lineOf(event: CacheEvent): Buffer | undefined {
    return this.matches === undefined ? this.shared(event, event.type, event.object.object) : this.selectedLine(event, this.matches);
  }

  /** The line of an event for a watch with selectors, with upstream's transitions. */
  private selectedLine(event: CacheEvent, matches: (object: CachedObject) => boolean): Buffer | undefined {
    const object = event.object;
    const current = event.type !== 'DELETED' && matches(object);
    const previousState = event.type === 'DELETED' ? (event.previous ?? object) : event.previous;
    const previous = previousState !== undefined && matches(previousState);
    if (!current && !previous) return undefined;
    if (current && !previous) return this.shared(event, 'ADDED', object.object);
    if (current && previous) return this.shared(event, 'MODIFIED', object.object);
    if (event.type === 'DELETED') return this.shared(event, 'DELETED', object.object);
    // stopped matching: a DELETED of the previous state at the event's revision (shared too: every
    // watch with this encoding that stops seeing the object gets the same line)
    const memoKey = `${this.encoder.memoKey('DELETED')}|previous`;
    let line = event.encoded.get(memoKey);
    if (line === undefined) {
      const last = previousState!.object;
      line = Buffer.from(this.encoder.encode('DELETED', { ...last, metadata: { ...last.metadata, resourceVersion: String(event.revision) } } as Obj));
      event.encoded.set(memoKey, line);
    }
    return line;
  }

  private shared(event: CacheEvent, type: WatchEventType, object: Obj): Buffer {
    const memoKey = this.encoder.memoKey(type);
    let line = event.encoded.get(memoKey);
    if (line === undefined) {
      line = Buffer.from(this.encoder.encode(type, object));
      event.encoded.set(memoKey, line);
    }
    return line;
  }

  /** Hands a line to the sink or the waiting reader, or holds it; false when it cannot be taken. */
  private take(line: Line, bounded: boolean): boolean {
    if (this.closed) return false;
    const sink = this.sink;
    if (sink !== undefined) {
      if (!this.blocked && this.held === 0) {
        if (!sink.write(typeof line === 'string' ? Buffer.from(line) : line)) this.blocked = true;
        return true;
      }
    } else if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: toText(line), done: false });
      return true;
    }
    if (bounded && this.held >= this.maxBuffered) return false;
    this.lines.push(line);
    this.held++;
    return true;
  }

  /**
   * When the next bookmark is due (upstream's `nextBookmarkTime`): an
   * interval from now, or 2 s before the timeout if that is sooner; none
   * once that moment has passed, nor for a watch without bookmarks.
   */
  nextBookmarkTime(now: number): number | undefined {
    if (!this.options.bookmarks || this.closed) return undefined;
    const heartbeat = now + (this.options.bookmarkIntervalMs ?? DEFAULT_BOOKMARK_INTERVAL_MS);
    if (this.deadline === 0) return heartbeat;
    const next = Math.min(heartbeat, this.deadline - BOOKMARK_BEFORE_TIMEOUT_MS);
    return next < now ? undefined : next;
  }

  /**
   * A bookmark at `revision` from the watch cache's schedule (the watch has
   * been handed every event up to it). None before the revision the watch
   * starts after; dropped, as upstream's, when the buffer is full.
   */
  bookmark(revision: number, encoded: Map<string, Buffer>): boolean {
    if (this.closed) return false;
    if (!this.options.bookmarks || revision < this.afterRevision) return true;
    const memoKey = this.encoder.memoKey('BOOKMARK');
    let line = encoded.get(memoKey);
    if (line === undefined) {
      line = Buffer.from(this.encoder.bookmark(revision));
      encoded.set(memoKey, line);
    }
    this.take(line, true);
    return true;
  }

  /**
   * Progress of the storage watch that feeds this watch when it is not the
   * cache's (a watch resuming from before the cache's history): every event up
   * to `revision` has been offered. A bookmark goes out at the first
   * notification after each one is due, the interval counted from the first.
   */
  progress(revision: number): void {
    if (!this.options.bookmarks || revision < this.afterRevision) return;
    const now = Date.now();
    if (this.progressBookmarkAt === 0) {
      this.progressBookmarkAt = this.nextBookmarkTime(now) ?? Number.POSITIVE_INFINITY;
      return;
    }
    if (now < this.progressBookmarkAt) return;
    this.push(this.encoder.bookmark(revision));
    this.progressBookmarkAt = this.nextBookmarkTime(now) ?? Number.POSITIVE_INFINITY;
  }

  /**
   * The cache stops this watcher. On overflow a pushed watch ends at once,
   * dropping what it held (the client re-watches from the last event it got,
   * as from upstream's terminated watchers); otherwise it ends after the held lines.
   */
  stop(reason?: CacheWatcherStopReason): void {
    if (reason === 'overflow' && this.sink !== undefined) this.dropHeld();
    this.end();
  }

  /** Ends the stream after the held lines. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.sink !== undefined) {
      if (!this.blocked && this.held === 0) this.finish(true);
    } else if (this.waiting && this.held === 0) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
    this.options.onClose?.();
  }

  /** How many lines wait for the client. */
  buffered(): number {
    return this.held;
  }

  pushTo(sink: WatchSink): void {
    if (this.sink !== undefined || this.finished) throw new Error('the watch stream is already consumed');
    this.sink = sink;
    if (this.waiting) {
      // a reader that was pulling gives way
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
    this.resume();
  }

  resume(): void {
    const sink = this.sink;
    if (sink === undefined || this.finished) return;
    this.blocked = false;
    while (this.held > 0) {
      const line = this.shift();
      if (!sink.write(typeof line === 'string' ? Buffer.from(line) : line)) {
        this.blocked = true;
        break;
      }
    }
    if (this.closed && !this.blocked && this.held === 0) this.finish(true);
  }

  next(): Promise<IteratorResult<string>> {
    if (this.sink !== undefined) return Promise.resolve({ value: undefined, done: true });
    if (this.held > 0) {
      const value = this.shift();
      return Promise.resolve({ value: toText(value), done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<string>> {
    this.dropHeld();
    // released: a pushed sink is neither written to nor ended (the client is gone)
    this.finish(false);
    this.end();
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<string> {
    return this;
  }

  /** Takes the oldest held line (there is one). */
  private shift(): Line {
    const line = this.lines[this.head]!;
    this.lines[this.head] = '';
    this.head++;
    this.held--;
    if (this.held === 0) {
      this.lines.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.lines.length) {
      // drop the lines already handed out once they are most of the array
      this.lines.splice(0, this.head);
      this.head = 0;
    }
    return line;
  }

  private dropHeld(): void {
    this.lines.length = 0;
    this.head = 0;
    this.held = 0;
    this.blocked = false;
  }

  private finish(endSink: boolean): void {
    if (this.finished) return;
    this.finished = true;
    const sink = this.sink;
    if (sink === undefined) return;
    this.sink = undefined;
    if (endSink) sink.end();
  }
}

function toText(line: Line): string {
  return typeof line === 'string' ? line : line.toString('utf8');
}
