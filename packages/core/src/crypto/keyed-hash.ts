import { createHmac } from 'node:crypto';
import { deriveKey } from './key-derivation.js';

/**
 * HMAC-SHA256 under a subkey of the master key, for values we must recognise but never keep:
 * API tokens, refresh tokens, backup codes. Unlike a plain hash, a copy of the database alone
 * cannot be used to test guesses offline. Deterministic, so the digest is an index key.
 */
export class KeyedHasher {
  private readonly key: Buffer;

  constructor(masterKey: Uint8Array) {
    this.key = deriveKey(masterKey, 'hash-tokens');
  }

  hash(value: string): string {
    return createHmac('sha256', this.key).update(value, 'utf8').digest('base64url');
  }
}
