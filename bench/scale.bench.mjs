// npm run bench:scale: is Tessera flat with scale? Verify with 10,000 and with 1,000,000 enrolled
// users, and the history listings with 1,000,000 history rows, one user holding 1,000 of them
// and two holding 100,000 each.
//
// Seeds in bulk (bench/scale-seed.mjs), starts the real server as a child on the seeded
// database and measures over HTTP: warm-up, then each request timed from this process. SQLite
// always; PostgreSQL too when TESSERA_BENCH_DATABASE_URL is set (a fresh database is created
// next to the one it names, and dropped at the end).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { loadConfig, SecretBox, SYSTEM_ACTOR } from '@tessera/core';
import { createLogger, openRuntime } from '@tessera/server';
import { sql } from 'kysely';
import pg from 'pg';
import { recordTargets } from './bench-support.mjs';
import { fastSeedingConnection, seedHistory, seedUsers, settle } from './scale-seed.mjs';

const SMALL = Number(process.env.BENCH_SCALE_SMALL_USERS ?? 10_000);
const LARGE = Number(process.env.BENCH_SCALE_LARGE_USERS ?? 1_000_000);
const HISTORY = Number(process.env.BENCH_SCALE_HISTORY ?? 1_000_000);
const PER_HEAVY = Number(process.env.BENCH_SCALE_HEAVY_ROWS ?? 100_000);
const PER_TYPICAL = 1_000;
const VERIFY_REQUESTS = Number(process.env.BENCH_SCALE_VERIFY_REQUESTS ?? 3_000);
const VERIFY_CONCURRENCY = Number(process.env.BENCH_SCALE_VERIFY_CONCURRENCY ?? 4);
const READ_REQUESTS = Number(process.env.BENCH_SCALE_READ_REQUESTS ?? 200);
const READ_TARGET_MS = 50;
const VERIFY_RATIO_TARGET = 1.5;

const rows = [];
const notes = [];
/** Printed as it happens (seeding takes minutes) and again under the table. */
const note = (line) => {
  console.log(line);
  notes.push(line);
};

// BENCH_SCALE_SQLITE=0 measures PostgreSQL alone.
if (process.env.BENCH_SCALE_SQLITE !== '0') {
  await benchDatabase('sqlite', undefined);
  // SQLite's rows as soon as they are in: the PostgreSQL stage takes as long again.
  if (process.env.TESSERA_BENCH_DATABASE_URL) printTable(rows);
}
if (process.env.TESSERA_BENCH_DATABASE_URL) await benchPostgres(process.env.TESSERA_BENCH_DATABASE_URL);

printTable(rows);
console.log(notes.join('\n'));
recordTargets(
  rows
    .filter((row) => row.target !== '')
    .map((row) => ({
      what: row.name,
      figure: row.target.startsWith('p99') ? `p99 ${row.p99} ms` : `${row.p99}`,
      target: row.target,
      met: row.ok === true,
    })),
);
if (rows.some((row) => !row.ok)) process.exitCode = 1;

async function benchPostgres(url) {
  const name = `tessera_scale_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    await benchDatabase('postgres', target.toString());
  } finally {
    if (process.env.BENCH_SCALE_KEEP) note(`postgres: kept database ${name}`);
    else await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

async function benchDatabase(label, databaseUrl) {
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-scale-'));
  const env = {
    ...process.env,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_DATABASE_URL: databaseUrl ?? '',
    TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
    TESSERA_LOG_LEVEL: 'warn',
    // Wrong guesses do the full work every time: never short-cut by a lock.
    TESSERA_LOCKOUT_MAX_FAILURES: '1000000',
    TESSERA_LOCKOUT_FAILURE_CEILING: '1000000',
    TESSERA_RATE_LIMIT_VERIFY_PER_MINUTE: '1000000',
    TESSERA_RATE_LIMIT_OTHER_PER_MINUTE: '1000000',
    PORT: '0',
  };
  if (!databaseUrl) delete env.TESSERA_DATABASE_URL;
  const config = loadConfig(env);
  const runtime = await openRuntime(config, createLogger('error', process.stderr));
  let server;
  try {
    const { storage, core } = runtime;
    await fastSeedingConnection(storage);
    const box = new SecretBox(config.secretKey);
    const adminAccount = await core.accounts.create(SYSTEM_ACTOR, {
      username: 'bench-admin',
      password: 'bench password',
      role: 'admin',
    });
    const { token: adminToken } = await core.apiTokens.issue(adminAccount.id, 'bench', 'write');

    let started = performance.now();
    const ids = await seedUsers(storage, box, adminAccount.passwordHash, 0, SMALL);
    await settle(storage);
    note(`${label}: seeded ${SMALL.toLocaleString('en')} users in ${seconds(started)}`);

    server = await startServer(env);
    const small = await measureVerify(server.url, adminToken, SMALL);
    await stopServer(server);
    server = undefined;

    started = performance.now();
    for (const id of await seedUsers(storage, box, adminAccount.passwordHash, SMALL, LARGE)) ids.push(id);
    note(`${label}: seeded ${(LARGE - SMALL).toLocaleString('en')} more users in ${seconds(started)}`);
    started = performance.now();
    const [heavyA, heavyB, typical] = ids;
    await seedHistory(storage, {
      total: HISTORY,
      heavy: [heavyA, heavyB],
      perHeavy: PER_HEAVY,
      typical,
      perTypical: PER_TYPICAL,
      anyUserId: () => ids[Math.floor(Math.random() * ids.length)],
    });
    await settle(storage);
    note(`${label}: seeded ${HISTORY.toLocaleString('en')} history rows in ${seconds(started)}`);
    note(`${label}: database size ${await databaseSize(storage, dataDir)}`);

    // Access tokens for the B2Core routes, which take only a JWT; the native ones take it too.
    const session = async (id) => (await core.sessions.start(await storage.users.findById(id))).accessToken;
    const heavyToken = await session(heavyA);
    const typicalToken = await session(typical);

    server = await startServer(env);
    const large = await measureVerify(server.url, adminToken, LARGE);
    addRow(`${label} verify p50/p99, ${short(SMALL)} users`, small, undefined);
    addRow(`${label} verify p50/p99, ${short(LARGE)} users`, large, undefined);
    rows.push({
      name: `${label} verify p99 ratio ${short(LARGE)}/${short(SMALL)}`,
      p50: (large.p50 / small.p50).toFixed(2),
      p99: (large.p99 / small.p99).toFixed(2),
      target: `<= ${VERIFY_RATIO_TARGET}`,
      ok: large.p99 / small.p99 <= VERIFY_RATIO_TARGET && large.failures + small.failures === 0,
    });

    const from = new Date(Date.now() - 90 * 24 * 3_600_000).toISOString();
    const cases = [
      ['native history, 1k-row user, first page', '/api/v1/me/2fa/history', typicalToken],
      [`native history, ${short(PER_HEAVY)}-row user, first page`, '/api/v1/me/2fa/history', heavyToken],
      [
        `native history, ${short(PER_HEAVY)}-row user, filtered`,
        `/api/v1/me/2fa/history?method=sms&enabled=true&from=${from}`,
        heavyToken,
      ],
      [`native history, ${short(PER_HEAVY)}-row user, offset 5000`, '/api/v1/me/2fa/history?offset=5000', heavyToken],
      ['admin history, first page', '/api/v1/admin/history', adminToken],
      ['admin history, one method', '/api/v1/admin/history?method=sms', adminToken],
      [`admin history, one user (${short(PER_HEAVY)} rows)`, `/api/v1/admin/history?userId=${heavyA}`, adminToken],
      ['b2core changes, 1k-row user', '/api/v2/my/2fa/changes?sort_order=desc', typicalToken],
      [
        `b2core changes, ${short(PER_HEAVY)}-row user, filtered`,
        `/api/v2/my/2fa/changes?filter[provider]=google&filter[isEnabled]=true&filter[timeFrom]=${from}&sort_by=time&sort_order=desc&offset=100&limit=20`,
        heavyToken,
      ],
      [
        `b2core changes, ${short(PER_HEAVY)}-row user, offset 10000`,
        '/api/v2/my/2fa/changes?sort_by=time&sort_order=desc&offset=10000&limit=20',
        heavyToken,
      ],
    ];
    for (const [name, path, token] of cases) {
      const result = await measure(READ_REQUESTS, 1, () => ({
        url: `${server.url}${path}`,
        init: { headers: { authorization: `Bearer ${token}` } },
      }));
      addRow(`${label} ${name}`, result, READ_TARGET_MS);
    }

    // The totals served are the real ones (the seeding keeps history_counts and
    // history_user_counts as the inserts do): over every user, and for one user.
    const totals = [
      ['admin history total', '', sql`select count(*) as n from history`],
      [
        `admin history total of one user (${short(PER_HEAVY)} rows)`,
        `?userId=${heavyA}`,
        sql`select count(*) as n from history where user_id = ${heavyA}`,
      ],
      [
        'admin history total of one user (1k rows)',
        `?userId=${typical}`,
        sql`select count(*) as n from history where user_id = ${typical}`,
      ],
    ];
    for (const [name, query, count] of totals) {
      const { rows: counted } = await count.execute(storage.db);
      const served = await fetch(`${server.url}/api/v1/admin/history${query}`, {
        headers: { authorization: `Bearer ${adminToken}` },
      }).then((response) => response.json());
      if (served.total !== Number(counted[0].n)) {
        note(`${label}: ${name} ${served.total}, but the table holds ${counted[0].n} entries`);
        process.exitCode = 1;
      }
    }
  } finally {
    if (server) await stopServer(server);
    await runtime.close();
    // BENCH_SCALE_KEEP=1 keeps the seeded SQLite file for EXPLAIN QUERY PLAN and the like.
    if (process.env.BENCH_SCALE_KEEP && !databaseUrl) note(`${label}: kept ${join(dataDir, 'tessera.db')}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
}

/** Wrong codes for random users: the full work (window checked, failure written) on every request. */
function measureVerify(baseUrl, adminToken, users) {
  return measure(VERIFY_REQUESTS, VERIFY_CONCURRENCY, () => ({
    url: `${baseUrl}/api/v1/verify`,
    init: {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: `bench${Math.floor(Math.random() * users)}`, code: '000000' }),
    },
  }));
}

/** `count` requests from `concurrency` sequential clients, after a warm-up of a tenth as many. */
async function measure(count, concurrency, next) {
  const timings = [];
  let failures = 0;
  let firstFailure;
  const run = async (requests, record) => {
    for (let i = 0; i < requests; i++) {
      const { url, init } = next();
      const start = performance.now();
      const response = await fetch(url, init);
      const text = await response.text();
      const elapsed = performance.now() - start;
      if (!record) continue;
      timings.push(elapsed);
      if (!response.ok) {
        failures++;
        firstFailure ??= `${response.status} ${text.slice(0, 200)}`;
      }
    }
  };
  const clients = (requests, record) =>
    Promise.all(Array.from({ length: concurrency }, () => run(Math.ceil(requests / concurrency), record)));
  await clients(Math.max(20, Math.floor(count / 10)), false);
  await clients(count, true);
  timings.sort((a, b) => a - b);
  const at = (q) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))];
  if (firstFailure) note(`failure: ${firstFailure}`);
  return { p50: at(0.5), p99: at(0.99), failures };
}

function addRow(name, result, targetMs) {
  rows.push({
    name,
    p50: result.p50.toFixed(1),
    p99: result.p99.toFixed(1),
    target: targetMs === undefined ? '' : `p99 < ${targetMs} ms`,
    ok: result.failures === 0 && (targetMs === undefined || result.p99 < targetMs),
  });
}

async function databaseSize(storage, dataDir) {
  if (storage.dialect === 'postgres') {
    const { rows: found } = await sql`select pg_database_size(current_database()) as size`.execute(storage.db);
    return megabytes(Number(found[0].size));
  }
  let bytes = 0;
  for (const file of ['tessera.db', 'tessera.db-wal']) {
    bytes += await stat(join(dataDir, file)).then(
      (s) => s.size,
      () => 0,
    );
  }
  return megabytes(bytes);
}

function startServer(childEnv) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bench/tessera-server.child.mjs'], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.once('error', reject);
    const early = (code) => reject(new Error(`the server exited with ${code}`));
    child.once('exit', early);
    // The server's own log shares stdout; the URL is the line that is one.
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (!line.startsWith('http')) return;
      lines.close();
      child.off('exit', early);
      resolve({ child, url: line.trim() });
    });
  });
}

function stopServer({ child }) {
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

function printTable(table) {
  const header = { name: 'case', p50: 'p50 ms', p99: 'p99 ms', target: 'target', ok: 'ok' };
  const width = Math.max(...[header, ...table].map((row) => row.name.length));
  const line = (row) =>
    `| ${row.name.padEnd(width)} | ${String(row.p50).padStart(7)} | ${String(row.p99).padStart(7)} | ${String(row.target).padEnd(13)} | ${row.ok === true ? 'yes' : row.ok === false ? 'NO' : row.ok} |`;
  console.log(`\n${line(header)}\n| ${'-'.repeat(width)} | ------: | ------: | ------------- | --- |`);
  for (const row of table) console.log(line(row));
}

function seconds(since) {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function megabytes(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function short(n) {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1_000 ? `${n / 1_000}k` : String(n);
}
