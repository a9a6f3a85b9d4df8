/** One queued write: it is checked and applied when its group commits; its promise settles after that. */
export interface PendingWrite {
  apply(): unknown;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** What a write of a group came to: its result, or the error it failed with. */
export interface WriteOutcome {
  ok: boolean;
  value?: unknown;
  err?: unknown;
}

/**
 * Group commit, as the engines do it: writes issued in the same turn of the
 * event loop are handed to `commit` together once the turn's I/O has been
 * read (setImmediate runs after the poll phase), so one commit, one publish
 * to the watches and one burst of answers serve them all.
 */
export class WriteGroups {
  #queue: PendingWrite[] = [];
  #scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly commit: (batch: PendingWrite[]) => void) {}

  enqueue<T>(apply: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ apply, resolve: resolve as (value: unknown) => void, reject });
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits what is queued now (the store calls it when closing: queued writes were accepted). */
  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const batch = this.#queue;
    if (batch.length === 0) return;
    this.#queue = [];
    this.commit(batch);
  }
}

/** Settles each write of a committed group with its outcome, in order. */
export function settle(batch: readonly PendingWrite[], outcomes: readonly WriteOutcome[]): void {
  outcomes.forEach((outcome, i) => {
    if (outcome.ok) batch[i]!.resolve(outcome.value);
    else batch[i]!.reject(outcome.err);
  });
}
