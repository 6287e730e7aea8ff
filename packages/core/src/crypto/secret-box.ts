import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { deriveKey } from './key-derivation.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value did not open: another key sealed it, or it was altered. */
export class SealOpenError extends Error {
  constructor(readonly reason: 'wrong-key' | 'corrupt') {
    super(reason === 'wrong-key' ? 'sealed under another key' : 'sealed value is corrupt');
    this.name = 'SealOpenError';
  }
}

/**
 * AES-256-GCM for secrets at rest (TOTP keys). The output names the key by a fingerprint so a
 * value sealed under another key is told apart from a damaged one, and the caller binds each
 * value to its row with `context` (GCM additional data), so a sealed secret copied into another
 * row does not open there.
 *
 * Format: `v1.<key id>.<iv>.<ciphertext+tag>` (base64url parts).
 */
export class SecretBox {
  readonly keyId: string;
  private readonly key: Buffer;

  constructor(masterKey: Uint8Array) {
    this.key = deriveKey(masterKey, 'seal-secrets');
    this.keyId = createHash('sha256').update(this.key).digest('hex').slice(0, 12);
  }

  seal(plaintext: Uint8Array, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, this.keyId, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string, context: string): Buffer {
    const [version, keyId, ivText, bodyText] = sealed.split('.');
    if (version !== VERSION || !keyId || !ivText || !bodyText) throw new SealOpenError('corrupt');
    if (keyId !== this.keyId) throw new SealOpenError('wrong-key');
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new SealOpenError('corrupt');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
    } catch (cause) {
      throw Object.assign(new SealOpenError('corrupt'), { cause });
    }
  }
}
