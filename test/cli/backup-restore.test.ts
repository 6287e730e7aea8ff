/**
 * Backups: `tessera backup --out FILE`, run as its own process while the server keeps writing,
 * takes a consistent copy; `tessera restore` brings it up in a new data directory; everything
 * acknowledged before the backup began is there and works there: TOTP codes verify (the sealed
 * secrets open under the key), a code spent before stays spent, API and refresh tokens still
 * match their keyed hashes. The copy passes `PRAGMA integrity_check`, and the key is not in it.
 * Runs the built CLI (`npm run build`), as an operator would.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStorage } from '@tessera/storage-kysely';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../packages/cli/src/cli-context.js';
import { main } from '../../packages/cli/src/main.js';
import type { TestStorage } from '../../packages/storage-kysely/src/test-support/index.js';
import { openTestStorage } from '../../packages/storage-kysely/src/test-support/index.js';
import { bearer, createHarness, type Harness, json, signUpAndSignIn } from '../support/harness.js';
import { MutableClock } from '../support/mutable-clock.js';
import { createTotpUser, type TotpUser, verifyCode } from '../support/totp-user.js';

const ROOT = join(import.meta.dirname, '../..');
const secretKey = new Uint8Array(randomBytes(32));
const keyText = Buffer.from(secretKey).toString('base64');

let work: string;
let storage: TestStorage;
let live: Harness;
let restored: Harness | undefined;
let restoredStorage: TestStorage | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tessera-backup-'));
  storage = await openTestStorage('sqlite');
  live = await createHarness({ storage, secretKey, clock: new MutableClock() });
});

afterAll(async () => {
  await live?.close();
  await storage?.dispose();
  await restored?.close();
  await restoredStorage?.dispose();
  await rm(work, { recursive: true, force: true });
});

function dataDirOf(s: TestStorage): string {
  if (!('dataDir' in s.location)) throw new Error('SQLite storage expected');
  return s.location.dataDir;
}

async function cli(env: Record<string, string>, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

interface Acknowledged {
  totp: TotpUser[];
  spentCode: { user: TotpUser; code: string };
  apiToken: string;
  refreshToken: string;
}

async function acknowledgedWrites(h: Harness): Promise<Acknowledged> {
  const totp: TotpUser[] = [];
  for (let i = 0; i < 4; i++) totp.push(await createTotpUser(h.app, h.clock));
  const spender = totp[0] as TotpUser;
  const code = spender.codeAt(h.clock.now());
  expect(json(await verifyCode(h.app, spender.accessToken, code))).toMatchObject({ valid: true });
  const owner = totp[1] as TotpUser;
  const issued = await h.app.inject({
    method: 'POST',
    url: '/api/v1/me/api-tokens',
    headers: bearer(owner.accessToken),
    payload: { name: 'script' },
  });
  expect(issued.statusCode).toBe(201);
  const session = await signUpAndSignIn(h.app);
  return {
    totp,
    spentCode: { user: spender, code },
    apiToken: json<{ token: string }>(issued).token,
    refreshToken: session.refreshToken,
  };
}

/** Sign-ups as fast as the server takes them, until `stop` says so: the writes during the backup. */
function writeUntil(h: Harness, stop: { done: boolean }): Promise<number> {
  return (async () => {
    let acknowledged = 0;
    while (!stop.done) {
      const response = await h.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        payload: { username: `during${randomBytes(5).toString('hex')}`, password: 'correct horse battery' },
      });
      expect(response.statusCode).toBe(201);
      acknowledged += 1;
      // Let the other process's copy and this loop interleave.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return acknowledged;
  })();
}

describe('tessera backup and restore (SQLite)', () => {
  it('copies online during writes; the restore has every acknowledged change, and it works', async () => {
    const before = await acknowledgedWrites(live);
    const liveDir = dataDirOf(storage);
    const backupFile = join(work, 'nightly', 'tessera-backup.db');
    const env = { TESSERA_DATA_DIR: liveDir, TESSERA_SECRET_KEY: keyText, TESSERA_LOG_LEVEL: 'error' };

    const stop = { done: false };
    const writing = writeUntil(live, stop);
    let backup: { stdout: string };
    try {
      backup = await promisify(execFile)('node', ['packages/cli/bin/tessera.js', 'backup', '--out', backupFile], {
        cwd: ROOT,
        env: { ...process.env, ...env },
      });
    } finally {
      stop.done = true;
    }
    expect(await writing).toBeGreaterThan(0);
    expect(backup.stdout).toMatch(/backed up .*tessera-backup\.db .*integrity ok/);
    expect(backup.stdout).toContain('Keep the secret key too');
    expect(backup.stdout).toContain('TESSERA_SECRET_KEY');

    // The copy is sound, private, and holds no key.
    const copy = new SqliteDatabase(backupFile, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      copy.close();
    }
    expect(readFileSync(backupFile).includes(Buffer.from(keyText))).toBe(false);
    expect(readFileSync(backupFile).includes(Buffer.from(before.totp[0]?.secret ?? 'x'))).toBe(false);

    // A second backup never overwrites the first.
    const again = await cli(env, 'backup', '--out', backupFile);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists');

    const restoredDir = join(work, 'restored');
    const restore = await cli(env, 'restore', '--from', backupFile, '--data-dir', restoredDir);
    expect(restore.code).toBe(0);
    expect(restore.out).toContain('the secret key opens the restored database');

    const opened = await openStorage({ dataDir: restoredDir });
    restoredStorage = Object.assign(opened, {
      location: { dataDir: restoredDir },
      dispose: async () => opened.close(),
    });
    const clock = new MutableClock(live.clock.now());
    restored = await createHarness({ storage: restoredStorage, secretKey, clock });
    const r = restored;

    // Every authenticator opens and verifies: sign-in with password, then the current code.
    for (const user of before.totp.slice(1)) {
      const signIn = await r.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { username: user.username, password: user.password },
      });
      const { flowId } = json<{ flowId: string }>(signIn);
      expect(flowId).toBeDefined();
      const done = await r.app.inject({
        method: 'POST',
        url: `/api/v1/auth/sign-in/${flowId}/second-factor`,
        payload: { code: user.codeAt(clock.now()) },
      });
      expect(done.statusCode).toBe(200);
    }
    // The code spent before the backup stays spent.
    const { user: spender, code } = before.spentCode;
    const fresh = await r.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: spender.username, password: spender.password },
    });
    const replay = await r.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${json<{ flowId: string }>(fresh).flowId}/second-factor`,
      payload: { code },
    });
    expect(replay.statusCode).toBe(422);
    expect(json(replay)).toMatchObject({ error: { code: 'CODE_INVALID' } });
    // Keyed hashes still match: the API token, the refresh token.
    const me = await r.app.inject({ url: '/api/v1/me', headers: bearer(before.apiToken) });
    expect(me.statusCode).toBe(200);
    const refreshed = await r.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: before.refreshToken },
    });
    expect(refreshed.statusCode).toBe(200);
  });

  it('restore refuses a data directory that has a database, and a key that does not open the copy', async () => {
    const backupFile = join(work, 'second.db');
    const env = { TESSERA_DATA_DIR: dataDirOf(storage), TESSERA_SECRET_KEY: keyText, TESSERA_LOG_LEVEL: 'error' };
    expect((await cli(env, 'backup', '--out', backupFile)).code).toBe(0);

    const occupied = await cli(env, 'restore', '--from', backupFile, '--data-dir', dataDirOf(storage));
    expect(occupied.code).toBe(1);
    expect(occupied.err).toContain('already exists');

    const wrongKey = { ...env, TESSERA_SECRET_KEY: randomBytes(32).toString('base64') };
    const target = join(work, 'wrong-key');
    const refused = await cli(wrongKey, 'restore', '--from', backupFile, '--data-dir', target);
    // Exit 3: the key given does not open the copy (a wrong environment, not a wrong command).
    expect(refused.code).toBe(3);
    expect(refused.err).toMatch(/different secret key/);
    // Nothing is left behind that would start with the wrong key later.
    expect(existsSync(join(target, 'tessera.db'))).toBe(false);
  });

  it('backup and restore send PostgreSQL to pg_dump', async () => {
    const env = { TESSERA_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', TESSERA_SECRET_KEY: keyText };
    const refused = await cli(env, 'backup', '--out', join(work, 'pg.db'));
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('pg_dump');
  });
});
