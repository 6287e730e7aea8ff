/**
 * Property: in production, passwords are stored as argon2id hashes with OWASP's minimum profile
 * (m=19 MiB, t=2, p=1) and a fresh salt each. The other tests hash with a fast stand-in
 * (test/support/fast-password-hasher.ts); this one runs the composition root the server and
 * the CLI use, with no hasher given.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, SYSTEM_ACTOR } from '@tessera/core';
import { createLogger, openRuntime, type Runtime } from '@tessera/server';
import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'correct horse battery';

/** The fields of a PHC string: `$argon2id$v=19$m=19456,p=1,t=2$<salt>$<hash>`. */
function phc(hash: string) {
  const [empty, algorithm, version, params, salt, digest, ...rest] = hash.split('$');
  expect({ empty, rest }).toEqual({ empty: '', rest: [] });
  return {
    algorithm,
    version,
    params: Object.fromEntries((params ?? '').split(',').map((pair) => pair.split('='))),
    saltBytes: Buffer.from(salt ?? '', 'base64').length,
    hashBytes: Buffer.from(digest ?? '', 'base64').length,
    salt,
  };
}

let dataDir: string;
let runtime: Runtime;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-hashing-'));
  const env = { TESSERA_DATA_DIR: dataDir, TESSERA_SECRET_KEY: randomBytes(32).toString('base64') };
  runtime = await openRuntime(loadConfig(env), createLogger('silent'), env);
});
afterAll(async () => {
  await runtime.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function storedHash(username: string): Promise<string> {
  const user = await runtime.storage.users.findByUsername(username);
  if (!user?.passwordHash) throw new Error(`no user ${username} with a password`);
  return user.passwordHash;
}

describe('password hashing in production', () => {
  it('stores argon2id with m=19 MiB, t=2, p=1 and a fresh salt per account', async () => {
    await runtime.core.accounts.create(SYSTEM_ACTOR, { username: 'alice', password: PASSWORD });
    await runtime.core.accounts.create(SYSTEM_ACTOR, { username: 'bob', password: PASSWORD });
    const alice = await storedHash('alice');
    const bob = await storedHash('bob');

    for (const hash of [alice, bob]) {
      expect(phc(hash)).toEqual({
        algorithm: 'argon2id',
        version: 'v=19',
        params: { m: '19456', t: '2', p: '1' },
        saltBytes: 16,
        hashBytes: 32,
        salt: expect.any(String),
      });
    }
    expect(phc(alice).salt).not.toBe(phc(bob).salt);
    expect(alice).not.toContain(PASSWORD);
    // The hash is a real argon2id hash of the password, as the reference implementation sees it.
    expect(await argon2.verify(alice, PASSWORD)).toBe(true);
    expect(await argon2.verify(alice, `${PASSWORD}!`)).toBe(false);
  });

  it('checks a password against its argon2id hash at sign-in', async () => {
    await runtime.core.accounts.create(SYSTEM_ACTOR, { username: 'carol', password: PASSWORD });
    await expect(runtime.core.accounts.checkPassword('carol', PASSWORD, null)).resolves.toMatchObject({
      username: 'carol',
    });
    await expect(runtime.core.accounts.checkPassword('carol', `${PASSWORD}!`, null)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(runtime.core.accounts.checkPassword('nobody', PASSWORD, null)).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
  });
});
