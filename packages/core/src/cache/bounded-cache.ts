/**
 * A small in-process map whose entries expire at a time the caller sets, and which holds at
 * most `maxEntries` (the oldest inserted goes first). For lookups that every request repeats
 * (an API token's owner, an access token's checked signature): a miss only costs the lookup.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly maxEntries: number) {}

  /** The value, if present and `now` (ms since the epoch) is before its expiry. */
  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt });
  }

  /** Drops every entry the predicate picks (a revoked token, a removed owner). */
  deleteWhere(pick: (value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (pick(entry.value)) this.entries.delete(key);
  }
}
