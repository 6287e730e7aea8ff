import { randomBytes } from 'node:crypto';
import { KeyRing } from '@tessera/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStorage, type TestStorage } from '../../packages/storage-kysely/src/test-support/index.js';
import { bearer, createHarness, type Harness, json } from '../support/harness.js';
import { MutableClock } from '../support/mutable-clock.js';
import { createTotpUser, type TotpUser } from '../support/totp-user.js';

/**
 * A database written before keyed hashes named their key (bare digests) keeps working: a bare
 * hash is matched after a miss, and the first start of this version tags every one with the id
 * of the key the database was made with, so `secret status` can count them.
 */

const key = new Uint8Array(randomBytes(32));
const keyId = new KeyRing(key).current.id;
const clock = new MutableClock();
let storage: TestStorage;
let server: Harness | undefined;
let user: TotpUser;
let apiToken: string;
let deviceToken: string;
let backupCodes: string[];

/** Every keyed-hash column, as a version before the tags wrote it. */
const HASH_COLUMNS = [
  ['api_tokens', 'token_hash'],
  ['refresh_tokens', 'token_hash'],
  ['backup_codes', 'code_hash'],
  ['trusted_devices', 'token_hash'],
  ['success_tokens', 'token_hash'],
  ['delivered_codes', 'code_hash'],
  ['delivered_codes', 'recipient_hash'],
  ['delivered_codes', 'client_ip_hash'],
] as const;

async function stripTags(): Promise<void> {
  for (const [table, column] of HASH_COLUMNS) {
    await sql`update ${sql.table(table)} set ${sql.ref(column)} = substr(${sql.ref(column)}, 14)
      where ${sql.ref(column)} like ${`${keyId}.%`}`.execute(storage.db);
  }
  await storage.db.deleteFrom('settings').where('key', '=', 'keyed_hashes_tagged').execute();
}

async function start(): Promise<Harness> {
  await server?.close();
  server = await createHarness({ storage, clock, secretKey: key });
  return server;
}

async function signIn(h: Harness, extra: Record<string, unknown> = {}) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { username: user.username, password: user.password, ...extra },
  });
}

beforeAll(async () => {
  storage = await openTestStorage();
  const h = await start();
  user = await createTotpUser(h.app, h.clock);
  const started = json<{ flowId: string }>(await signIn(h));
  const finished = await h.app.inject({
    method: 'POST',
    url: `/api/v1/auth/sign-in/${started.flowId}/second-factor`,
    payload: { code: user.codeAt(h.clock.now()), rememberDevice: true },
  });
  deviceToken = json<{ device: { deviceToken: string } }>(finished).device.deviceToken;
  h.clock.advanceSeconds(30);
  const backup = await h.app.inject({
    method: 'POST',
    url: '/api/v1/me/2fa/enable',
    headers: bearer(user.accessToken),
    payload: { method: 'backup_codes' },
  });
  backupCodes = json<{ backupCodes: { codes: string[] } }>(backup).backupCodes.codes;
  const created = await h.app.inject({
    method: 'POST',
    url: '/api/v1/me/api-tokens',
    headers: bearer(user.accessToken),
    payload: { name: 'script' },
  });
  apiToken = json<{ token: string }>(created).token;
  await stripTags();
});

afterAll(async () => {
  await server?.close();
  await storage.dispose();
});

describe('keyed hashes stored before they named their key', () => {
  it('are counted as untagged and still match before the next start', async () => {
    const h = server as Harness;
    const status = await h.core.secretKeys.status();
    expect(status.hashed.filter((count) => count.keyId !== null)).toEqual([]);
    expect(status.hashed).toContainEqual({ column: 'api_tokens', keyId: null, count: 1 });
    expect(status.hashed).toContainEqual({ column: 'backup_codes', keyId: null, count: backupCodes.length });
    // Never used before, so not remembered: found by its bare hash, and re-hashed with the tag.
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(apiToken) })).statusCode).toBe(200);
    expect((await h.core.secretKeys.status()).hashed).toContainEqual({ column: 'api_tokens', keyId, count: 1 });
  });

  it('are tagged with the database key at the next start, and every one keeps working', async () => {
    await stripTags();
    const h = await start();
    expect(h.log.text).toContain('tagged keyed hashes with their key id');
    const status = await h.core.secretKeys.status();
    expect(status.hashed.filter((count) => count.keyId !== keyId)).toEqual([]);
    expect(status.hashed).toContainEqual({ column: 'backup_codes', keyId, count: backupCodes.length });

    expect((await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(apiToken) })).statusCode).toBe(200);
    const refreshed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: user.refreshToken },
    });
    expect(refreshed.statusCode).toBe(200);
    expect(json(await signIn(h, { deviceToken }))).toMatchObject({ status: 'signed_in' });
    const started = json<{ flowId: string }>(await signIn(h));
    const answered = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/sign-in/${started.flowId}/second-factor`,
      payload: { code: backupCodes[0], method: 'backup_codes' },
    });
    expect(answered.statusCode).toBe(200);
    // Tagged once: a later start finds nothing to tag.
    const again = await start();
    expect(again.log.text).not.toContain('tagged keyed hashes');
  });
});
