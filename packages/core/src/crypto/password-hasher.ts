import argon2 from 'argon2';

/**
 * argon2id with OWASP's minimum profile (m=19 MiB, t=2, p=1): memory-hard, so a stolen hash
 * costs an attacker far more than a GPU-friendly hash would, at ~20 ms a sign-in here.
 */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Burns the same time as a verify, so an unknown username is not told apart by timing. */
  verifyDummy(password: string): Promise<void>;
}

export function createArgon2PasswordHasher(): PasswordHasher {
  let dummyHash: Promise<string> | undefined;
  return {
    hash: (password) => argon2.hash(password, ARGON2_OPTIONS),
    verify: async (hash, password) => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    },
    async verifyDummy(password) {
      dummyHash ??= argon2.hash('tessera-dummy-password', ARGON2_OPTIONS);
      await argon2.verify(await dummyHash, password).catch(() => false);
    },
  };
}
