import { hkdfSync } from 'node:crypto';

/**
 * One configured master key, several independent subkeys (RFC 5869 HKDF): a leak of, say,
 * the JWT signing key says nothing about the key that seals TOTP secrets.
 */
export type KeyPurpose = 'seal-secrets' | 'hash-tokens';

export function deriveKey(masterKey: Uint8Array, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `tessera ${purpose} v1`, 32));
}
