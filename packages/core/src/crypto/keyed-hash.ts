import { createHmac } from 'node:crypto';
import { KeyRing } from './key-ring.js';

/**
 * HMAC-SHA256 under a subkey of the master key, for values we must recognise but never keep:
 * API tokens, refresh tokens, backup codes. Unlike a plain hash, a copy of the database alone
 * cannot be used to test guesses offline. Deterministic, so the digest is an index key.
 *
 * A stored hash is tagged with the id of the key that made it (`<key id>.<digest>`), so
 * `tessera secret status` can count what still depends on a previous key: such a hash cannot
 * be recomputed without the value, which only its holder has. A lookup tries the current key
 * first (one HMAC, as before the ring); only a miss tries `fallbacks`. Hashes stored before
 * the tag existed are bare digests: `fallbacks` includes those forms too.
 */
export class KeyedHasher {
  readonly ring: KeyRing;
  private readonly prefix: string;

  constructor(keys: Uint8Array | KeyRing) {
    this.ring = keys instanceof KeyRing ? keys : new KeyRing(keys);
    this.prefix = `${this.ring.current.id}.`;
  }

  /** The tagged hash under the current key: what is stored and looked up first. */
  hash(value: string): string {
    return this.prefix + hmac(this.ring.current.hashKey, value);
  }

  /**
   * The bare digest under the current key, for values that are derived rather than stored and
   * matched (a throttle key, a pseudonym): what they were before hashes were tagged.
   */
  digest(value: string): string {
    return hmac(this.ring.current.hashKey, value);
  }

  /** The bare digest under every key of the ring, current first (for derived values checked later). */
  digests(value: string): string[] {
    return this.ring.all.map((key) => hmac(key.hashKey, value));
  }

  /**
   * The other forms a stored hash of `value` may have: tagged under each previous key, and the
   * untagged digest under every key (rows written before tagging). Empty work for a ring of one
   * key apart from the untagged digest.
   */
  fallbacks(value: string): string[] {
    const forms: string[] = [];
    for (const key of this.ring.previous) forms.push(`${key.id}.${hmac(key.hashKey, value)}`);
    for (const key of this.ring.all) forms.push(hmac(key.hashKey, value));
    return forms;
  }

  /** Whether a stored hash was made under the current key (re-hash on use when not). */
  isCurrent(storedHash: string): boolean {
    return storedHash.startsWith(this.prefix);
  }
}

function hmac(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('base64url');
}

/**
 * Looks `value` up by its hash: under the current key first, then (only on a miss) under each
 * fallback form. Returns what was found and the stored hash it was found by.
 */
export async function findByKeyedHash<T>(
  hasher: KeyedHasher,
  value: string,
  find: (hash: string) => Promise<T | undefined | null | false>,
): Promise<{ found: T; hash: string } | undefined> {
  const current = hasher.hash(value);
  const first = await find(current);
  if (first) return { found: first, hash: current };
  for (const hash of hasher.fallbacks(value)) {
    const found = await find(hash);
    if (found) return { found, hash };
  }
  return undefined;
}
