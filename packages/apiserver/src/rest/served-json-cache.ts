/** One object's JSON as served, at one revision. */
interface Entry {
  readonly revision: number;
  /** the stored object's `apiVersion` and `kind` (the JSON is served only by definitions that serve them unchanged) */
  readonly apiVersion: unknown;
  readonly kind: unknown;
  readonly json: string;
  /** the JSON as an item of a typed list (without `apiVersion` and `kind`), made on the first list that serves it */
  item?: string;
}

/** The default bound of a {@link ServedJsonCache}: 8 Mi characters of JSON (≈ 8 MiB of mostly ASCII text). */
export const DEFAULT_SERVED_JSON_CACHE_CHARS = 8 * 1024 * 1024;

/**
 * The JSON of recently served objects, by storage key and revision: an object
 * read again unchanged (GET, or an item of a list served from the watch cache)
 * is answered without serializing it again. A key's content at a revision
 * never changes (a revision is written once), so an entry is right for as long
 * as the revision matches; the newest revision replaces an older one. Bounded
 * by the characters held, evicting the oldest entries first.
 */
export class ServedJsonCache {
  readonly #entries = new Map<string, Entry>();
  #chars = 0;

  /** @param maxChars characters of JSON held at most (0: nothing is kept) */
  constructor(readonly maxChars: number = DEFAULT_SERVED_JSON_CACHE_CHARS) {}

  /** How many objects' JSON is held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The entry of `key` at `revision`, if held. */
  get(key: string, revision: number): Entry | undefined {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.revision === revision ? entry : undefined;
  }

  /** Holds `json` as the served form of `key` at `revision` (an object larger than a sixteenth of the bound is not held). */
  set(key: string, revision: number, apiVersion: unknown, kind: unknown, json: string): void {
    if (json.length > this.maxChars / 16) return;
    const previous = this.#entries.get(key);
    if (previous !== undefined) {
      // an older read must not replace a newer revision
      if (previous.revision > revision) return;
      this.#entries.delete(key);
      this.#chars -= previous.json.length;
    }
    this.#entries.set(key, { revision, apiVersion, kind, json });
    this.#chars += json.length;
    if (this.#chars <= this.maxChars) return;
    for (const [oldest, entry] of this.#entries) {
      this.#entries.delete(oldest);
      this.#chars -= entry.json.length;
      if (this.#chars <= this.maxChars) break;
    }
  }
}
