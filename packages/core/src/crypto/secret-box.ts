import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KeyRing } from './key-ring.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value did not open: a key not in the ring sealed it, or it was altered. */
export class SealOpenError extends Error {
  constructor(
    readonly reason: 'wrong-key' | 'corrupt',
    /** The id of the key that sealed it, when the value names one. */
    readonly keyId?: string,
  ) {
    super(reason === 'wrong-key' ? `sealed under another key (key id ${keyId})` : 'sealed value is corrupt');
    this.name = 'SealOpenError';
  }
}

/**
 * AES-256-GCM for secrets at rest (TOTP keys, phone numbers, signing keys). The output names
 * the key that sealed it by its id, so a value sealed under a previous key of the ring opens
 * with that key (one map lookup, no trial decryption) and one sealed under a key no longer
 * configured is told apart from a damaged one. The caller binds each value to its row with
 * `context` (GCM additional data), so a sealed secret copied into another row does not open
 * there.
 *
 * Format: `v1.<key id>.<iv>.<ciphertext+tag>` (base64url parts).
 */
export class SecretBox {
  readonly ring: KeyRing;

  constructor(keys: Uint8Array | KeyRing) {
    this.ring = keys instanceof KeyRing ? keys : new KeyRing(keys);
  }

  /** The id of the key new values are sealed under. */
  get keyId(): string {
    return this.ring.current.id;
  }

  seal(plaintext: Uint8Array, context: string): string {
    const { id, sealKey } = this.ring.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, id, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string, context: string): Buffer {
    const [version, keyId, ivText, bodyText] = sealed.split('.');
    if (version !== VERSION || !keyId || !ivText || !bodyText) throw new SealOpenError('corrupt');
    const key = this.ring.find(keyId);
    if (!key) throw new SealOpenError('wrong-key', keyId);
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new SealOpenError('corrupt');
    const decipher = createDecipheriv('aes-256-gcm', key.sealKey, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
    } catch (cause) {
      throw Object.assign(new SealOpenError('corrupt'), { cause });
    }
  }

  /** Opens under whichever key sealed it and seals again under the current one. */
  reseal(sealed: string, context: string): string {
    return this.seal(this.open(sealed, context), context);
  }
}

/** The id of the key a sealed value names, or undefined when it is not a sealed value. */
export function sealedKeyId(sealed: string): string | undefined {
  const [version, keyId] = sealed.split('.', 2);
  return version === VERSION && keyId ? keyId : undefined;
}
