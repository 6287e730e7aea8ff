import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tessera/core';
import { createLogger, openRuntime } from '@tessera/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../packages/cli/src/cli-context.js';
import { main } from '../../packages/cli/src/main.js';
import { testDatabaseUrl } from '../../packages/storage-kysely/src/test-support/index.js';

/**
 * A start that is refused says why in one line naming the setting, and writes nothing: above
 * all no new `secret.key`, which a later start would take for the key the data was sealed with.
 */
let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-refused-'));
});
afterEach(async () => rm(dataDir, { recursive: true, force: true }));

async function serve(env: Record<string, string>): Promise<{ code: number; err: string[] }> {
  const err: string[] = [];
  const io: CliIo = {
    out: () => {},
    err: (line) => err.push(line),
    env: { PORT: '0', TESSERA_DATA_DIR: dataDir, ...env },
  };
  return { code: await main(['serve'], io), err };
}

describe('a refused start', () => {
  it('HOST that does not resolve: one line naming HOST, no stack trace, nothing written', async () => {
    const { code, err } = await serve({ HOST: 'bogus.invalid' });
    expect(code).toBe(1);
    expect(err).toEqual([
      expect.stringMatching(/^tessera: HOST "bogus\.invalid" is not a name this machine can resolve/),
    ]);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('a PostgreSQL server that does not answer: names TESSERA_DATABASE_URL, writes no secret.key', async () => {
    const { code, err } = await serve({ TESSERA_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/tessera' });
    expect(code).toBe(1);
    expect(err).toEqual([
      expect.stringMatching(/cannot reach the PostgreSQL server \(ECONNREFUSED\).*TESSERA_DATABASE_URL/),
    ]);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it.skipIf(!process.env.TESSERA_TEST_DATABASE_URL)(
    'a PostgreSQL database that does not exist: says so, writes no secret.key',
    async () => {
      const missing = testDatabaseUrl().replace(/\/[^/]*$/, `/missing_${randomBytes(4).toString('hex')}`);
      const { code, err } = await serve({ TESSERA_DATABASE_URL: missing });
      expect(code).toBe(1);
      expect(err).toEqual([expect.stringMatching(/database in TESSERA_DATABASE_URL does not exist/)]);
      expect(await readdir(dataDir)).toEqual([]);
    },
  );

  it('a database sealed under another key and no key given: refused, and no new secret.key', async () => {
    const sealed = await openRuntime(
      loadConfig({ TESSERA_DATA_DIR: dataDir, TESSERA_SECRET_KEY: randomBytes(32).toString('base64') }),
      createLogger('silent'),
    );
    await sealed.close();
    const before = (await readdir(dataDir)).sort();
    expect(before).not.toContain('secret.key');
    const { code, err } = await serve({});
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringMatching(/sealed under a different secret key/)]);
    expect((await readdir(dataDir)).sort()).toEqual(before);
  });
});
