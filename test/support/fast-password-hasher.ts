import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CoreDeps } from '@tessera/core';

export type PasswordHasher = NonNullable<CoreDeps['passwordHasher']>;

const SCHEME = 'test-hmac-sha256';
/** One key per test process, so that a harness reopened over the same database still verifies. */
const KEY = randomBytes(32);

function digest(salt: Buffer, password: string): Buffer {
  return createHmac('sha256', KEY).update(salt).update(password, 'utf8').digest();
}

/**
 * A password hasher for the tests that are not about password hashing: a salted, keyed
 * HMAC-SHA-256 that takes microseconds where argon2id takes tens of milliseconds (and most of a
 * test run). It keeps what those tests rely on: the right password verifies and any other does
 * not, the same password hashes differently each time, and no hash contains its password.
 * test/security/password-hashing.test.ts checks that production hashes with argon2id.
 */
export function createFastPasswordHasher(): PasswordHasher {
  return {
    async hash(password) {
      const salt = randomBytes(16);
      return `$${SCHEME}$${salt.toString('base64')}$${digest(salt, password).toString('base64')}`;
    },
    async verify(hash, password) {
      const [empty, scheme, salt, stored, ...rest] = hash.split('$');
      if (empty !== '' || scheme !== SCHEME || !salt || !stored || rest.length > 0) return false;
      const expected = Buffer.from(stored, 'base64');
      const actual = digest(Buffer.from(salt, 'base64'), password);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
    async verifyDummy(password) {
      digest(randomBytes(16), password);
    },
  };
}
