/** The width of a bookmark bucket: bookmarks due within one go out together (upstream's one second). */
export const BOOKMARK_BUCKET_MS = 1_000;

/** How much later than its bucket a schedule's timer fires, at most: spreads the caches' rounds (upstream jitters its ticker by 25%). */
const MAX_JITTER_MS = 250;

/**
 * When the bookmark-wanting watchers of one watch cache get their next
 * bookmark: upstream's `watcherBookmarkTimeBuckets`. Entries are kept in
 * buckets of {@link BOOKMARK_BUCKET_MS} by due time; one timer, armed for the
 * earliest bucket while any bucket holds entries, hands every due bucket to
 * `fire`. Adding an entry is a push to an array (and, for the earliest
 * bucket only, re-arming the timer); an entry that went away meanwhile stays
 * in its bucket until it is due, and `fire` skips it. So it costs one timer
 * per cache whatever the number of watchers, and none without them.
 */
export class BookmarkSchedule<T> {
  private readonly buckets = new Map<number, T[]>();
  private timer: NodeJS.Timeout | undefined;
  /** the bucket the timer is armed for (`Infinity`: not armed) */
  private armedFor = Number.POSITIVE_INFINITY;
  /** buckets before this one have been handed out: a later entry for them goes here */
  private nextBucket = 0;
  /** this schedule's delay after each bucket's time */
  private readonly jitterMs = Math.floor(Math.random() * MAX_JITTER_MS);

  /** `fire` is called from the timer with the entries that are due, bucket by bucket. */
  constructor(private readonly fire: (due: T[][]) => void) {}

  /** Schedules `entry` for `at` (ms since the epoch); it goes out in the bucket at or after `at`, never before. */
  add(entry: T, at: number): void {
    let bucket = Math.ceil(at / BOOKMARK_BUCKET_MS);
    if (bucket < this.nextBucket) bucket = this.nextBucket;
    const entries = this.buckets.get(bucket);
    if (entries) entries.push(entry);
    else this.buckets.set(bucket, [entry]);
    if (bucket < this.armedFor) this.arm(bucket);
  }

  /** How many entries wait (ended ones included until they are due). */
  size(): number {
    let n = 0;
    for (const entries of this.buckets.values()) n += entries.length;
    return n;
  }

  /** Whether the timer is armed (for leak tests). */
  armed(): boolean {
    return this.timer !== undefined;
  }

  /** Drops every entry and the timer. */
  clear(): void {
    this.buckets.clear();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private arm(bucket: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.armedFor = bucket;
    this.timer = setTimeout(() => this.expire(), Math.max(0, bucket * BOOKMARK_BUCKET_MS + this.jitterMs - Date.now()));
    // an idle watch cache's bookmarks do not keep the process alive
    this.timer.unref?.();
  }

  private expire(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const current = Math.floor((Date.now() - this.jitterMs) / BOOKMARK_BUCKET_MS);
    const due: T[][] = [];
    // a handful of buckets (a bookmark interval's worth of seconds at most): no ordered index needed
    for (const [bucket, entries] of this.buckets) {
      if (bucket > current) continue;
      this.buckets.delete(bucket);
      due.push(entries);
    }
    this.nextBucket = Math.max(this.nextBucket, current + 1);
    if (due.length > 0) this.fire(due);
    // `fire` may have scheduled some again (arming for theirs): the earliest of all is what the timer waits for
    let earliest = Number.POSITIVE_INFINITY;
    for (const bucket of this.buckets.keys()) if (bucket < earliest) earliest = bucket;
    if (earliest < this.armedFor) this.arm(earliest);
  }
}
