/** Loaded on the first password hashed or checked: a start that serves verification needs none. */
type Argon2 = typeof import('argon2');
let loaded: Promise<Argon2> | undefined;
async function argon2(): Promise<Argon2> {
  // A CommonJS module: its exports are the default export of the import.
  loaded ??= import('argon2').then((module) => (module as { default?: Argon2 }).default ?? module);
  return loaded;
}

/**
 * argon2id with OWASP's minimum profile (m=19 MiB, t=2, p=1): memory-hard, so a stolen hash
 * costs an attacker far more than a GPU-friendly hash would, at ~20 ms a sign-in here.
 */
async function hash(password: string): Promise<string> {
  const lib = await argon2();
  return lib.hash(password, { type: lib.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
}

async function verify(hashed: string, password: string): Promise<boolean> {
  return (await argon2()).verify(hashed, password);
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Burns the same time as a verify, so an unknown username is not told apart by timing. */
  verifyDummy(password: string): Promise<void>;
}

export function createArgon2PasswordHasher(): PasswordHasher {
  let dummyHash: Promise<string> | undefined;
  return {
    hash,
    verify: async (hashed, password) => {
      try {
        return await verify(hashed, password);
      } catch {
        return false;
      }
    },
    async verifyDummy(password) {
      dummyHash ??= hash('tessera-dummy-password');
      await verify(await dummyHash, password).catch(() => false);
    },
  };
}
