/**
 * The "has the first list been applied" state of an informer: opened once,
 * waited on by `waitForSync` callers, each of whom may give up with a signal.
 */
export class SyncGate {
  #open = false;
  #waiters: (() => void)[] = [];

  get open(): boolean {
    return this.#open;
  }

  /** Opens the gate (once) and releases every waiter. */
  markOpen(): void {
    if (this.#open) return;
    this.#open = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter();
  }

  /** Resolves `true` once open, `false` if `signal` aborts first. */
  wait(signal?: AbortSignal): Promise<boolean> {
    if (this.#open) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(false);
      };
      const waiter = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      };
      this.#waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
