import { createHash } from 'node:crypto';
import { deriveKey } from './key-derivation.js';

/** One master key of the ring, with the subkeys made from it and the id that names it. */
export interface RingKey {
  /**
   * A fingerprint that names the key without revealing it: the first 12 hex digits of the
   * SHA-256 of its sealing subkey (what every sealed value has recorded since sealing began).
   */
  readonly id: string;
  readonly sealKey: Buffer;
  readonly hashKey: Buffer;
}

/** The length of every key id: a tagged hash is `<id>.<digest>`, a sealed value `v1.<id>.…`. */
export const KEY_ID_LENGTH = 12;

/**
 * The secret key and the keys it replaced. New values are sealed and hashed under `current`;
 * a value sealed under a previous key still opens (the sealed value names its key), and a keyed
 * hash made under one still matches (tried only after a miss under the current key). An
 * operator drops a previous key once `tessera secret status` shows nothing depends on it.
 */
export class KeyRing {
  readonly current: RingKey;
  readonly previous: readonly RingKey[];
  private readonly byId: ReadonlyMap<string, RingKey>;

  constructor(currentKey: Uint8Array, previousKeys: readonly Uint8Array[] = []) {
    this.current = ringKey(currentKey);
    // The current key listed again among the previous ones (an operator's copy-paste) is ignored.
    const previous = new Map<string, RingKey>();
    for (const key of previousKeys.map(ringKey)) {
      if (key.id !== this.current.id) previous.set(key.id, key);
    }
    this.previous = [...previous.values()];
    this.byId = new Map([...previous, [this.current.id, this.current]]);
  }

  /** Every key, current first. */
  get all(): readonly RingKey[] {
    return [this.current, ...this.previous];
  }

  find(id: string): RingKey | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }
}

function ringKey(master: Uint8Array): RingKey {
  const sealKey = deriveKey(master, 'seal-secrets');
  return {
    id: createHash('sha256').update(sealKey).digest('hex').slice(0, KEY_ID_LENGTH),
    sealKey,
    hashKey: deriveKey(master, 'hash-tokens'),
  };
}
