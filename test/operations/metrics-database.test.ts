/**
 * The storage's figures: statements timed by kind (and the failed ones counted), group-commit
 * batch sizes, and on PostgreSQL the pool's connections and waiting statements, read back
 * through a scrape of the metrics listener after known statements. On the suite's database
 * (SQLite, or PostgreSQL when TESSERA_TEST_DATABASE_URL is set).
 */
import { listenForMetrics, type MetricsListener, ServerMetrics } from '@tessera/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStorage, type TestStorage } from '../../packages/storage-kysely/src/test-support/index.js';
import { createHarness, type Harness } from '../support/harness.js';
import { metricFamilies, sample, scrape } from '../support/prometheus-text.js';
import { createTotpUser, verifyCode } from '../support/totp-user.js';

/** openStorage's pool size on PostgreSQL. */
const POOL_SIZE = 10;
let storage: TestStorage;
let harness: Harness;
let listener: MetricsListener;

beforeAll(async () => {
  const metrics = new ServerMetrics({ version: '9.9.9-test' });
  storage = await openTestStorage(undefined, { metrics });
  harness = await createHarness({ metrics, storage });
  listener = await listenForMetrics(metrics, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await listener.close();
  await harness.close();
  await storage.dispose();
});

function counter(before: string, after: string) {
  return (name: string, labels: Record<string, string> = {}) =>
    sample(after, name, labels) - sample(before, name, labels);
}

const throttleRow = (key: string) => ({
  key,
  failures: 0,
  level: 0,
  blocked_until: null,
  window_started_at: null,
  version: 1,
});

describe('tessera_db_statement_duration_seconds', () => {
  it('times each statement by kind, and counts the failed ones', async () => {
    const { db } = storage;
    const before = await scrape(listener.url);
    await db.insertInto('throttles').values(throttleRow('metrics:a')).execute();
    for (let i = 0; i < 3; i++) await db.selectFrom('throttles').selectAll().where('key', '=', 'metrics:a').execute();
    await db.updateTable('throttles').set({ failures: 1 }).where('key', '=', 'metrics:a').execute();
    // The same key again: the primary key refuses it.
    await expect(db.insertInto('throttles').values(throttleRow('metrics:a')).execute()).rejects.toThrow();
    await db.deleteFrom('throttles').where('key', '=', 'metrics:a').execute();

    const count = counter(before, await scrape(listener.url));
    const timed = 'tessera_db_statement_duration_seconds_count';
    expect(count(timed, { kind: 'select' })).toBe(3);
    expect(count(timed, { kind: 'insert' })).toBe(2);
    expect(count(timed, { kind: 'update' })).toBe(1);
    expect(count(timed, { kind: 'delete' })).toBe(1);
    expect(count('tessera_db_statement_errors_total', { kind: 'insert' })).toBe(1);
    expect(count('tessera_db_statement_errors_total', { kind: 'select' })).toBe(0);
    expect(count('tessera_db_statement_duration_seconds_sum', { kind: 'select' })).toBeGreaterThan(0);
  });

  it("measures the server's own statements: a verification's reads and writes", async () => {
    const user = await createTotpUser(harness.app, harness.clock);
    const before = await scrape(listener.url);
    const answer = await verifyCode(harness.app, user.accessToken, user.codeAt(harness.clock.now()));
    expect(answer.statusCode, answer.body).toBe(200);
    const count = counter(before, await scrape(listener.url));
    expect(count('tessera_db_statement_duration_seconds_count', { kind: 'select' })).toBeGreaterThan(0);
    expect(count('tessera_db_statement_duration_seconds_count', { kind: 'update' })).toBeGreaterThan(0);
  });
});

describe('tessera_db_group_commit_batch_size', () => {
  it('observes each batch: writes arriving together share one commit, a write alone is a batch of one', async () => {
    const write = sql`update throttles set failures = failures where key = 'metrics:none'`.compile(storage.db);
    const before = await scrape(listener.url);
    await Promise.all(Array.from({ length: 5 }, () => storage.groupCommit.execute(write)));
    await storage.groupCommit.execute(write);

    const count = counter(before, await scrape(listener.url));
    const batches = 'tessera_db_group_commit_batch_size';
    expect(count(`${batches}_count`)).toBe(2);
    expect(count(`${batches}_sum`)).toBe(6);
    expect(count(`${batches}_bucket`, { le: '1' })).toBe(1);
    expect(count(`${batches}_bucket`, { le: '4' })).toBe(1);
    expect(count(`${batches}_bucket`, { le: '8' })).toBe(2);
  });
});

describe('the connection pool', () => {
  it('PostgreSQL: connections open, idle and waiting; SQLite (one connection, no pool): no pool series', async () => {
    if (storage.dialect === 'sqlite') {
      const families = metricFamilies(await scrape(listener.url));
      expect([...families.keys()].filter((name) => name.startsWith('tessera_db_pool_'))).toEqual([]);
      expect(families.get('tessera_db_statement_duration_seconds')).toBe('histogram');
      return;
    }
    // Every connection held by a transaction waiting on a gate, and one statement more waiting its turn.
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const started: Promise<void>[] = [];
    const holders = Array.from({ length: POOL_SIZE }, () => {
      let holding: () => void = () => {};
      started.push(
        new Promise<void>((resolve) => {
          holding = resolve;
        }),
      );
      return storage.db.transaction().execute(async (trx) => {
        await trx.selectFrom('throttles').select('key').execute();
        holding();
        await gate;
      });
    });
    await Promise.all(started);
    const waiting = storage.db.selectFrom('throttles').select('key').execute();
    const busy = await scrape(listener.url);
    open();
    await Promise.all([...holders, waiting]);
    const idle = await scrape(listener.url);

    expect(sample(busy, 'tessera_db_pool_connections')).toBe(POOL_SIZE);
    expect(sample(busy, 'tessera_db_pool_idle_connections')).toBe(0);
    expect(sample(busy, 'tessera_db_pool_waiting_requests')).toBe(1);
    expect(sample(idle, 'tessera_db_pool_connections')).toBe(POOL_SIZE);
    expect(sample(idle, 'tessera_db_pool_idle_connections')).toBe(POOL_SIZE);
    expect(sample(idle, 'tessera_db_pool_waiting_requests')).toBe(0);
  });
});
