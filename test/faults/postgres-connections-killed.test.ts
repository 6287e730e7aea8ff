import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aUser } from '../../packages/storage-kysely/src/test-support/record-factories.js';
import { bearer, createHarness, createSignedInUser, type Harness, json } from '../support/harness.js';
import { openPrivatePostgresStorage, PrivatePostgres } from '../support/private-postgres.js';

/**
 * PostgreSQL connections killed under Tessera (pg_terminate_backend: what a restart, a failover
 * or an idle-connection reaper does), on a PostgreSQL server of this file's own. Idle and in the
 * middle of a statement, in every API shape, and repeatedly under load: no crash, 503
 * DATABASE_UNAVAILABLE with Retry-After while a statement lost its connection, the next request
 * works, and a transaction that lost its connection left nothing behind.
 *
 * Runs in the PostgreSQL pass (TESSERA_TEST_DATABASE_URL set), as the other PostgreSQL-only tests.
 */
const DATABASE = 'tessera';
/** b2core's device fingerprint: base64 of a JSON object. */
const FINGERPRINT = Buffer.from(JSON.stringify({ user_agent: 'fault test' })).toString('base64');

describe.skipIf(!process.env.TESSERA_TEST_DATABASE_URL)('PostgreSQL connections killed', () => {
  let server: PrivatePostgres;
  let h: Harness;
  let storage: Awaited<ReturnType<typeof openPrivatePostgresStorage>>;

  beforeAll(async () => {
    server = await PrivatePostgres.start();
    storage = await openPrivatePostgresStorage(server, DATABASE);
    h = await createHarness({ storage });
  });
  afterAll(async () => {
    await h?.close();
    await storage?.dispose();
    await server?.dispose();
  });

  /**
   * One request of each API shape, each reading the database: for two new users and a new API
   * token, since a token once checked is remembered for a moment without asking the database.
   */
  async function requestsOfEveryShape(): Promise<Record<string, () => Promise<LightMyRequestResponse>>> {
    const user = await createSignedInUser(h);
    // Signs in through b2core: one password attempt per account runs at a time, so not `user`.
    const b2coreUser = await createSignedInUser(h);
    const apiToken = (await h.core.apiTokens.issue(user.id, 'fault test', 'write')).token;
    const { username, password, email } = user;
    return {
      native: () => h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password } }),
      vpsbg: () => h.app.inject({ method: 'GET', url: '/v1/user/2fa', headers: bearer(apiToken) }),
      whm: () =>
        h.app.inject({
          url: '/json-api/twofactorauth_get_user_configs',
          headers: { authorization: `whm ${username}:${apiToken}` },
        }),
      uapi: () =>
        h.app.inject({
          url: '/execute/TwoFactorAuth/get_user_configuration',
          headers: { authorization: `cpanel ${username}:${apiToken}` },
        }),
      b2core: async () => {
        const wizard = await h.app.inject({ url: '/api/v2/my/signin/wizard' });
        if (wizard.statusCode !== 202) return wizard;
        const { uuid } = json<{ uuid: string }>(wizard);
        return h.app.inject({
          method: 'POST',
          url: '/api/v2/my/signin',
          payload: { uuid, email: b2coreUser.email, password, device_fingerprint: FINGERPRINT },
        });
      },
      mudbase: () => h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password } }),
    };
  }

  /** The body each shape gives a failure, reduced to what names DATABASE_UNAVAILABLE. */
  function expectUnavailableInShape(shape: string, response: LightMyRequestResponse): void {
    expect(response.statusCode, `${shape}: ${response.body}`).toBe(503);
    expect(response.headers['retry-after'], shape).toMatch(/^[1-9]\d*$/);
    const body = json<Record<string, unknown>>(response);
    const text = JSON.stringify(body);
    switch (shape) {
      case 'native':
        expect(body).toEqual({ error: { code: 'DATABASE_UNAVAILABLE', message: expect.any(String) } });
        break;
      case 'whm':
        expect(body).toMatchObject({ metadata: { result: 0, reason: expect.stringMatching(/database/i) } });
        break;
      case 'uapi':
        expect(body).toMatchObject({ result: { status: 0, errors: [expect.stringMatching(/database/i)] } });
        break;
      case 'mudbase':
        expect(text).toContain('SERVICE_UNAVAILABLE');
        break;
      default:
        expect(text).toMatch(/database/i);
    }
    expect(text).not.toMatch(/terminat|57P01|stack/i);
  }

  it('idle connections killed: no crash, and the next request of every shape works', async () => {
    const requests = await requestsOfEveryShape();
    for (const [shape, send] of Object.entries(requests)) expect((await send()).statusCode, shape).toBeLessThan(300);
    const errorsBefore = storage.connectionErrors.length;
    const killed = await server.terminateConnections(DATABASE);
    expect(killed).toBeGreaterThan(0);
    // The pool hears of it asynchronously, from the sockets closing, and drops each connection.
    await waitFor(() => storage.connectionErrors.length - errorsBefore >= killed);
    for (const [shape, send] of Object.entries(requests)) {
      const response = await send();
      expect(response.statusCode, `${shape}: ${response.body}`).toBeLessThan(300);
    }
  });

  it('connections killed mid-statement: 503 DATABASE_UNAVAILABLE with Retry-After in every shape, then recovery', async () => {
    const requests = await requestsOfEveryShape();
    const blocker = await holdTableLocks(server, ['users', 'api_tokens']);
    let answers: (readonly [string, LightMyRequestResponse])[];
    let errorsBefore = 0;
    let killed = 0;
    try {
      const pending = Object.entries(requests).map(async ([shape, send]) => [shape, await send()] as const);
      // Every request is inside a statement, waiting for the lock, when its connection is killed.
      await waitForAsync(async () => (await blockedBackends(server)) >= pending.length);
      errorsBefore = storage.connectionErrors.length;
      killed = await server.terminateConnections(DATABASE, { only: 'waiting-for-lock' });
      answers = await Promise.all(pending);
    } finally {
      await blocker.release();
    }
    for (const [shape, response] of answers) expectUnavailableInShape(shape, response);
    // Writes in the background (an API token's first use in the audit trail) may have lost their
    // connections too; as with idle ones, the pool hears of each asynchronously.
    await waitFor(() => storage.connectionErrors.length - errorsBefore >= killed);
    for (const [shape, send] of Object.entries(requests)) {
      const response = await send();
      expect(response.statusCode, `${shape}: ${response.body}`).toBeLessThan(300);
    }
  });

  it('a unit of work whose connection is killed between its statements leaves nothing behind', async () => {
    const first = aUser();
    const second = aUser();
    let killed = 0;
    const attempt = storage.transaction(async (repositories) => {
      await repositories.users.create(first);
      killed = await server.terminateConnections(DATABASE, { only: 'in-transaction' });
      await repositories.users.create(second);
    });
    await expect(attempt).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect(killed).toBeGreaterThanOrEqual(1);
    expect(await storage.users.findById(first.id)).toBeUndefined();
    expect(await storage.users.findById(second.id)).toBeUndefined();
    // The pool gave the broken connection up: the next unit of work commits.
    await storage.transaction(async (repositories) => {
      await repositories.users.create(first);
    });
    expect(await storage.users.findById(first.id)).toMatchObject({ id: first.id });
  });

  it('a shared group commit whose connection is killed is applied once, not half and not twice', async () => {
    const [a, b] = [aUser(), aUser()];
    for (const u of [a, b]) {
      await storage.users.create(u);
      expect(await storage.lockouts.compareAndSet(0, lockoutOf(u.id, 1))).toBe(true);
    }
    const blocker = await holdRowLock(server, b.id);
    const commitsBefore = storage.groupCommit.stats.commits;
    let resets: Promise<void>[];
    try {
      // One turn of the event loop: both resets share a transaction; b's waits on the row lock.
      resets = [storage.lockouts.reset(a.id), storage.lockouts.reset(b.id)];
      await waitForAsync(async () => (await blockedBackends(server)) >= 1);
      await server.terminateConnections(DATABASE, { only: 'waiting-for-lock' });
      // Each write runs again on its own; b's waits for the row lock once more.
      await waitForAsync(async () => (await blockedBackends(server)) >= 1);
    } finally {
      await blocker.release();
    }
    await Promise.all(resets);
    expect(storage.groupCommit.stats.commits - commitsBefore).toBe(3);
    // Version 1 → 2: each reset applied exactly once (the killed shared commit applied nothing).
    expect(await storage.lockouts.find(a.id)).toMatchObject({ version: 2, failedCount: 0 });
    expect(await storage.lockouts.find(b.id)).toMatchObject({ version: 2, failedCount: 0 });
  });

  it('repeated kills under load: only 2xx, 4xx and 503, never a 500, and the service recovers', async () => {
    const requests = Object.entries(await requestsOfEveryShape());
    const statuses = new Map<number, number>();
    let stop = false;
    const load = Array.from({ length: 6 }, async (_, worker) => {
      for (let i = worker; !stop; i++) {
        const [shape, send] = requests[i % requests.length] ?? requests[0] ?? [];
        if (!send) return;
        const response = await send();
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        if (response.statusCode === 503) expectUnavailableInShape(String(shape), response);
      }
    });
    let kills = 0;
    for (let round = 0; round < 10; round++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      kills += await server.terminateConnections(DATABASE);
    }
    stop = true;
    await Promise.all(load);
    expect(kills).toBeGreaterThan(0);
    const unexpected = [...statuses.keys()].filter((status) => status >= 500 && status !== 503);
    expect(unexpected, JSON.stringify([...statuses])).toEqual([]);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    for (const [shape, send] of requests) expect((await send()).statusCode, shape).toBeLessThan(300);
  });
});

function lockoutOf(userId: string, version: number) {
  return { userId, failedCount: 1, lockLevel: 0, lockedUntil: null, totalFailures: 1, version };
}

/** A connection of its own that holds the tables locked until `release`, so statements wait on it. */
async function holdTableLocks(server: PrivatePostgres, tables: string[]) {
  return holding(server, `lock table ${tables.join(', ')} in access exclusive mode`);
}

async function holdRowLock(server: PrivatePostgres, userId: string) {
  return holding(server, `select 1 from lockouts where user_id = '${userId}' for update`);
}

async function holding(server: PrivatePostgres, statement: string): Promise<{ pid: number; release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: server.url(DATABASE) });
  client.on('error', () => {});
  await client.connect();
  const [row] = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows;
  await client.query('begin');
  await client.query(statement);
  return {
    pid: row?.pid ?? -1,
    async release() {
      await client.query('rollback').catch(() => {});
      await client.end().catch(() => {});
    },
  };
}

/** Tessera's connections waiting for a lock right now. */
async function blockedBackends(server: PrivatePostgres): Promise<number> {
  const [row] = await server.admin<{ n: number }>(
    "select count(*)::int as n from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'",
    'postgres',
    [DATABASE],
  );
  return row?.n ?? 0;
}

async function waitFor(condition: () => boolean): Promise<void> {
  await waitForAsync(async () => condition());
}

/** Polls (a real wait: the thing waited for is another process). */
async function waitForAsync(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
