import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyRing, parseSecretKey } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../packages/cli/src/cli-context.js';
import { main } from '../../packages/cli/src/main.js';

const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');
const idOf = (key: string) => new KeyRing(parseSecretKey(key) ?? new Uint8Array()).current.id;

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-cli-secret-'));
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

async function run(keys: { current: string; previous?: string }, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const env: Record<string, string> = {
    TESSERA_DATA_DIR: dataDir,
    TESSERA_SECRET_KEY: keys.current,
    TESSERA_LOG_LEVEL: 'warn',
    ...(keys.previous === undefined ? {} : { TESSERA_SECRET_KEY_PREVIOUS: keys.previous }),
  };
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tessera secret status and secret rotate', () => {
  it('count what needs the old key, re-seal it, and leave only the hashes listed', async () => {
    const old = { current: oldKey };
    expect(
      (
        await run(
          old,
          'users',
          'create',
          '--username',
          'ops',
          '--password',
          'ops password',
          '--phone',
          '+359888123456',
          '--create',
        )
      ).code,
    ).toBe(0);
    expect((await run(old, 'tokens', 'create', '--username', 'ops')).code).toBe(0);

    const ring = { current: newKey, previous: oldKey };
    const before = await run(ring, 'secret', 'status');
    expect(before.code).toBe(0);
    expect(before.out).toContain(`current key id: ${idOf(newKey)}`);
    expect(before.out).toContain(`key id ${idOf(oldKey)} (previous) is still needed by:`);
    expect(before.out).toMatch(/sealed: .*1 account phone numbers/);
    expect(before.out).toMatch(/hashed: 1 API tokens/);
    expect(before.out).not.toContain(oldKey);

    const rotated = await run(ring, 'secret', 'rotate', '--batch-size', '1');
    expect(rotated.code).toBe(0);
    expect(rotated.out).toContain(`re-sealed under key id ${idOf(newKey)}: 1 account phone numbers`);
    expect(rotated.err).toContain('re-sealed 1 account phone numbers so far');
    const status = JSON.parse((await run(ring, 'secret', 'status', '--json')).out) as {
      sealed: { keyId: string }[];
      hashed: { column: string; keyId: string; count: number }[];
    };
    expect(status.sealed.every((count) => count.keyId === idOf(newKey))).toBe(true);
    expect(status.hashed).toContainEqual({ column: 'api_tokens', keyId: idOf(oldKey), count: 1 });
    expect((await run(ring, 'secret', 'rotate')).out).toContain('nothing to re-seal');

    // The old key dropped: the server starts and opens the phone; another key alone is refused by id.
    const shown = await run({ current: newKey }, 'users', 'show', '--username', 'ops');
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('+359888123456');
    const refused = await run({ current: oldKey }, 'secret', 'status');
    // Exit 3: the environment is wrong (a key that does not open this database).
    expect(refused.code).toBe(3);
    expect(refused.err).toContain(`key id ${idOf(newKey)}`);
    expect(refused.err).not.toContain(newKey);
  });

  it('refuses a bad batch size and a malformed previous key by name', async () => {
    expect((await run({ current: newKey }, 'secret', 'rotate', '--batch-size', '0')).code).toBe(2);
    const bad = await run({ current: newKey, previous: 'not-a-key' }, 'secret', 'status');
    expect(bad).toMatchObject({ code: 3, err: expect.stringContaining('TESSERA_SECRET_KEY_PREVIOUS') });
  });
});
