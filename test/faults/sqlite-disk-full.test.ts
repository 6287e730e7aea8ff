/**
 * Fault: the disk under the SQLite database fills up. The database lives on a small tmpfs of this
 * file's own, and a filler file takes every byte left: a real ENOSPC under SQLite, not a mocked
 * error. Writes are answered 503 STORAGE_UNWRITABLE with Retry-After in the caller's shape
 * (native and a dialect), a TOTP code is never accepted without its step being recorded, reads
 * go on, the log names the file and SQLite's code, nothing is half-written (`PRAGMA
 * integrity_check` ok, every acknowledged write there), and service resumes when space returns.
 *
 * Mounting needs root (as in CI's container); elsewhere the file is reported skipped.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, type StorageFault } from '@tessera/storage-kysely';
import SqliteDatabase from 'better-sqlite3';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestStorage } from '../../packages/storage-kysely/src/test-support/index.js';
import { createHarness, createSignedInUser, type Harness, json, signUpAndSignIn } from '../support/harness.js';
import { createTotpUser, type TotpUser, verifyCode } from '../support/totp-user.js';

const isRoot = process.getuid?.() === 0;
const SIZE = '8m';

describe.runIf(isRoot)('SQLite on a full disk', () => {
  let mountPoint: string;
  let dataDir: string;
  let filler: string;
  let storage: TestStorage;
  let h: Harness;
  const faults: StorageFault[] = [];

  beforeAll(async () => {
    mountPoint = mkdtempSync(join(tmpdir(), 'tessera-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${SIZE},mode=0700`, 'tmpfs', mountPoint]);
    dataDir = join(mountPoint, 'data');
    mkdirSync(dataDir);
    filler = join(mountPoint, 'filler');
    const opened = await openStorage({ dataDir, onStorageFault: (fault) => faults.push(fault) });
    await opened.migrate();
    storage = Object.assign(opened, { location: { dataDir }, dispose: async () => opened.close() });
    h = await createHarness({ storage });
  });

  afterAll(async () => {
    await h?.close();
    await storage?.dispose();
    if (mountPoint) {
      execFileSync('umount', [mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    }
  });

  /** Empties the WAL into the database file, so the next write must grow the WAL. */
  function checkpoint(): void {
    const side = new SqliteDatabase(join(dataDir, 'tessera.db'));
    try {
      side.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      side.close();
    }
  }

  /** Takes every byte the file system has left. */
  function fillTheDisk(): void {
    const fd = openSync(filler, 'w');
    const chunk = Buffer.alloc(4096, 1);
    try {
      for (;;) writeSync(fd, chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      closeSync(fd);
    }
  }

  function signUp(username: string): Promise<LightMyRequestResponse> {
    return h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { username, password: 'correct horse battery' },
    });
  }

  function expectUnwritable(response: LightMyRequestResponse): void {
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  }

  it('answers writes 503 in each shape, keeps reads, accepts no code it cannot record, and resumes', async () => {
    const acknowledged: string[] = [];
    for (let i = 0; i < 5; i++) {
      const name = `before${i}`;
      expect((await signUp(name)).statusCode).toBe(201);
      acknowledged.push(name);
    }
    const totp: TotpUser = await createTotpUser(h.app, h.clock);
    const session = await signUpAndSignIn(h.app);
    const withEmail = await createSignedInUser(h);
    acknowledged.push(withEmail.username);

    checkpoint();
    fillTheDisk();
    try {
      const native = await signUp('during-native');
      expectUnwritable(native);
      expect(json(native)).toEqual({ error: { code: 'STORAGE_UNWRITABLE', message: expect.any(String) } });

      // A code cannot be accepted without its step being recorded as used: refused, not accepted.
      const code = totp.codeAt(h.clock.now());
      const verify = await verifyCode(h.app, totp.accessToken, code);
      expectUnwritable(verify);
      expect(json(verify)).toMatchObject({ error: { code: 'STORAGE_UNWRITABLE' } });

      // mudbase's sign-in writes a session: refused in mudbase's shape.
      const mudbase = await h.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: withEmail.email, password: withEmail.password },
      });
      expectUnwritable(mudbase);
      expect(json(mudbase)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: expect.any(Number) });
      // b2core's refresh rotates the refresh token: a write.
      const refresh = await h.app.inject({
        method: 'POST',
        url: '/api/v2/my/token/refresh',
        payload: { refreshToken: session.refreshToken },
      });
      expectUnwritable(refresh);
      expect(json(refresh)).toMatchObject({ code: 503 });

      // Reads go on.
      const me = await h.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${totp.accessToken}` } });
      expect(me.statusCode).toBe(200);

      expect(faults.length).toBeGreaterThanOrEqual(1);
      expect(faults[0]).toMatchObject({
        file: join(dataDir, 'tessera.db'),
        code: expect.stringMatching(/^SQLITE_FULL/),
      });
    } finally {
      rmSync(filler, { force: true });
    }

    // Space is back: writes resume without a restart, and the code refused meanwhile now works.
    expect((await signUp('after')).statusCode).toBe(201);
    acknowledged.push('after');
    expect(json(await verifyCode(h.app, totp.accessToken, totp.codeAt(h.clock.now())))).toMatchObject({
      valid: true,
    });

    // Nothing half-written: the file is sound, every acknowledged account is there, none refused is.
    const check = new SqliteDatabase(join(dataDir, 'tessera.db'), { readonly: true });
    try {
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      const names = (check.prepare('select username from users').all() as Array<{ username: string }>).map(
        (row) => row.username,
      );
      for (const name of acknowledged) expect(names).toContain(name);
      expect(names).not.toContain('during-native');
    } finally {
      check.close();
    }
  });
});
