import { randomBytes } from 'node:crypto';

/**
 * The sizes of secret Tessera issues: 160 bits, what RFC 4226 §4 requirement R6 recommends; or
 * 80 bits (16 base32 characters), only for clients of the cPanel dialects that enforce cPanel's
 * 16-character secrets when so configured. 80 bits is below R6's minimum of 128 and the 112 that
 * NIST SP 800-63B asks of authenticator secrets.
 */
export type TotpSecretBits = 160 | 80;
export const TOTP_SECRET_BITS: readonly TotpSecretBits[] = [160, 80];

/** A fresh random shared secret of `bits` (160 unless asked). */
export function generateTotpSecret(bits: TotpSecretBits = 160): Uint8Array {
  if (!TOTP_SECRET_BITS.includes(bits)) {
    throw new RangeError(`A TOTP secret is 160 bits (or 80 for cPanel clients), not ${bits}`);
  }
  return new Uint8Array(randomBytes(bits / 8));
}
