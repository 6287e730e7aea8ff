import { buildApp, createLogger } from '@tessera/server';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../support/harness.js';
import { openPrivatePostgresStorage, PrivatePostgres } from '../support/private-postgres.js';
import { createTotpUser, verifyCode } from '../support/totp-user.js';

/**
 * PostgreSQL stopped under load and started again (pg_ctl on a server of this file's own):
 * while it is down `/ready` answers 503 naming the database and requests get 503 at once; when it
 * is back everything works without restarting Tessera; every write acknowledged before the stop
 * is there, and a code spent before it stays spent.
 *
 * Runs in the PostgreSQL pass (TESSERA_TEST_DATABASE_URL set).
 */
const DATABASE = 'tessera';

describe.skipIf(!process.env.TESSERA_TEST_DATABASE_URL)('PostgreSQL down and back', () => {
  let server: PrivatePostgres;
  let storage: Awaited<ReturnType<typeof openPrivatePostgresStorage>>;
  let h: Harness;
  /** The same core, with `/ready` asking the real database. */
  let app: FastifyInstance;

  beforeAll(async () => {
    server = await PrivatePostgres.start();
    storage = await openPrivatePostgresStorage(server, DATABASE);
    h = await createHarness({ storage, lockout: { maxFailures: 1000 } });
    app = await buildApp({
      core: h.core,
      logger: createLogger('silent'),
      pendingMigrations: () => storage.pendingMigrations(),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
    await storage?.dispose();
    await server?.dispose();
  });

  it('answers 503 fast while it is down, recovers by itself, and loses nothing acknowledged', async () => {
    const totpUser = await createTotpUser(h.app, h.clock);
    const spentCode = totpUser.codeAt(h.clock.now());
    expect(json(await verifyCode(h.app, totpUser.accessToken, spentCode))).toEqual({ valid: true });

    // Sign-ups under load, before, during and after the outage; each 201 is a write acknowledged.
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let stop = false;
    let next = 0;
    const load = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const username = `load${next++}`;
        const response = await h.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          payload: { username, password: 'correct horse battery' },
        });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        if (response.statusCode === 201) acknowledged.push(username);
        else expect(response.statusCode, response.body).toBe(503);
        // Yield, so the load does not starve the rest of the test.
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    await waitFor(async () => acknowledged.length >= 20);

    server.stop('fast');
    const acknowledgedBeforeStop = acknowledged.length;
    const ready = await app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(json(ready)).toMatchObject({
      status: 'not_ready',
      checks: { database: { status: 'down', message: 'the database does not answer' } },
      error: { code: 'NOT_READY', message: 'Not ready: database: the database does not answer.' },
    });
    const started = performance.now();
    const refused = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: totpUser.username, password: totpUser.password },
    });
    // Refused at once (the server is not there), not after a connect timeout.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    expect(json(refused)).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE' } });
    await waitFor(async () => (statuses.get(503) ?? 0) >= 10);

    server.restart();
    const restarted = performance.now();
    await waitFor(async () => (await app.inject({ url: '/ready' })).statusCode === 200);
    const recoveryMs = performance.now() - restarted;
    expect(recoveryMs).toBeLessThan(10_000);
    const countAtRecovery = acknowledged.length;
    await waitFor(async () => acknowledged.length >= countAtRecovery + 10);
    stop = true;
    await Promise.all(load);

    expect(acknowledgedBeforeStop).toBeGreaterThanOrEqual(20);
    for (const username of acknowledged) {
      expect(await storage.users.findByUsername(username), username).toMatchObject({ username });
    }
    // Spent before the stop: still spent.
    expect(json(await verifyCode(h.app, totpUser.accessToken, spentCode))).toEqual({ valid: false });
    h.clock.advanceSeconds(30);
    expect(json(await verifyCode(h.app, totpUser.accessToken, totpUser.codeAt(h.clock.now())))).toEqual({
      valid: true,
    });
    expect(json(await app.inject({ url: '/ready' }))).toMatchObject({
      status: 'ready',
      checks: { database: { status: 'up' } },
    });
  });
});

/** Polls (a real wait: the thing waited for is another process). */
async function waitFor(condition: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
