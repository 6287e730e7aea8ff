/**
 * Property: a copy of the SQLite database (file, WAL and shared memory) reveals no TOTP
 * secret: neither its base32 text nor its raw bytes, nor any API token.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeBase32 } from '@tessera/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, json } from '../support/harness.js';
import { createTotpUser } from '../support/totp-user.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ storageKind: 'sqlite' });
});
afterAll(async () => h.close());

describe('secrets at rest', () => {
  it('the database files hold no secret, sealed or not', async () => {
    const users = [];
    for (let i = 0; i < 3; i++) users.push(await createTotpUser(h.app, h.clock));
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/api-tokens',
      headers: bearer(users[0]!.accessToken),
      payload: { name: 'ci' },
    });
    const apiToken = json<{ token: string }>(created).token;

    const { rows } = await sql<{ file: string }>`PRAGMA database_list`.execute(h.storage.db);
    const dbFile = rows.find((r) => r.file)?.file;
    expect(dbFile).toBeTruthy();
    const dir = dirname(dbFile!);
    const files = (await readdir(dir)).filter((f) => f.startsWith('tessera.db'));
    expect(files).toContain('tessera.db-wal');
    const bytes = Buffer.concat(await Promise.all(files.map((f) => readFile(join(dir, f)))));
    expect(bytes.length).toBeGreaterThan(0);

    for (const user of users) {
      expect(bytes.includes(Buffer.from(user.secret))).toBe(false);
      expect(bytes.includes(Buffer.from(user.secret.toLowerCase()))).toBe(false);
      expect(bytes.includes(Buffer.from(decodeBase32(user.secret)))).toBe(false);
      expect(bytes.includes(Buffer.from(user.password))).toBe(false);
      expect(bytes.includes(Buffer.from(user.accessToken))).toBe(false);
    }
    expect(bytes.includes(Buffer.from(apiToken))).toBe(false);
    // The check itself can see what is there: the usernames are stored in plain text.
    expect(bytes.includes(Buffer.from(users[0]!.username))).toBe(true);
  });
});
