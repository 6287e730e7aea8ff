// npm run bench: server-to-server verify against a bare Fastify route, measured in the same run.
//
// Seeds a fresh SQLite database with 10,000 users, each with an active authenticator (written
// through the repositories: argon2 and QR rendering for 10,000 sign-ups would only measure the
// seeding). Tessera and the bare route each run in a child process; autocannon runs here.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TOTP_PARAMS, generateTotpSecret, totpAt } from '@tessera/core';
import autocannon from 'autocannon';
import { seedWith, startChild } from './bench-support.mjs';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

const dataDir = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
const env = {
  ...process.env,
  TESSERA_DATA_DIR: dataDir,
  TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
  TESSERA_LOG_LEVEL: 'warn',
  // Out of reach, so every wrong guess does the full work: the window checked, a failure written.
  TESSERA_LOCKOUT_MAX_FAILURES: '1000000',
  TESSERA_LOCKOUT_FAILURE_CEILING: '1000000',
  // Every request comes from one address: limits it never reaches, still counted on each request.
  TESSERA_RATE_LIMIT_VERIFY_PER_MINUTE: '1000000',
  TESSERA_RATE_LIMIT_OTHER_PER_MINUTE: '1000000',
  PORT: '0',
};

const { adminToken, keys } = await seed();
const children = [];
try {
  const bare = await startChild('bench/bare-server.child.mjs', env);
  const tessera = await startChild(
    'bench/tessera-server.child.mjs',
    env,
    process.env.BENCH_NODE_FLAGS?.split(' ') ?? [],
  );
  children.push(bare.child, tessera.child);

  const body = (username, code) => JSON.stringify({ username, code });
  const randomUser = () => `bench${Math.floor(Math.random() * USERS)}`;
  await run(`${bare.url}/verify`, { duration: 2, body: body('bench0', '000000') }); // warm-up
  await run(`${tessera.url}/api/v1/verify`, { duration: 2, adminToken, next: () => body(randomUser(), '000000') });

  const baseline = await run(`${bare.url}/verify`, { duration: SECONDS, body: body('bench0', '000000') });
  const wrong = await run(`${tessera.url}/api/v1/verify`, {
    duration: SECONDS,
    adminToken,
    next: () => body(randomUser(), '000000'),
  });

  // Valid path: each request a fresh user and its current code (so each one is a first use).
  const now = Math.floor(Date.now() / 1000);
  const valid = keys.map((key, i) => body(`bench${i}`, totpAt(key, now, DEFAULT_TOTP_PARAMS)));
  let next = 0;
  const validRun = await run(`${tessera.url}/api/v1/verify`, {
    amount: Math.min(USERS, valid.length),
    adminToken,
    next: () => valid[next++ % valid.length],
  });

  report([
    ['bare Fastify route', baseline],
    ['verify, wrong code', wrong],
    ['verify, valid code', validRun],
  ]);
  console.log(
    `verify (wrong code) / bare route: ${(wrong.requests.average / baseline.requests.average).toFixed(2)}x  (target >= 0.5x)`,
  );
  console.log(
    `verify (valid code) / bare route: ${(validRun.requests.average / baseline.requests.average).toFixed(2)}x`,
  );
  for (const [name, result] of [
    ['wrong-code', wrong],
    ['valid-code', validRun],
  ]) {
    if (result.non2xx > 0 || result.errors > 0 || result.requests.total === 0) {
      console.log(`note: ${name} run had ${result.non2xx} non-2xx answers and ${result.errors} errors`);
      process.exitCode = 1;
    }
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  await rm(dataDir, { recursive: true, force: true });
}

async function seed() {
  return seedWith(env, 'write', async ({ storage, box, admin, token }) => {
    const { passwordHash } = admin;
    const keys = [];
    const started = Date.now();
    for (let i = 0; i < USERS; i++) {
      const userId = crypto.randomUUID();
      const factorId = crypto.randomUUID();
      const key = generateTotpSecret();
      keys.push(key);
      const createdAt = new Date();
      await storage.users.create({
        id: userId,
        username: `bench${i}`,
        email: null,
        phone: null,
        passwordHash,
        role: 'user',
        issuer: null,
        domain: null,
        ownerId: null,
        subKind: null,
        createdAt,
      });
      await storage.factors.insertPending({
        id: factorId,
        userId,
        kind: 'totp',
        status: 'pending',
        details: { sealedSecret: box.seal(key, `factor:${factorId}`), ...DEFAULT_TOTP_PARAMS, lastUsedStep: null },
        createdAt,
        expiresAt: new Date(Date.now() + 3_600_000),
        activatedAt: null,
      });
      await storage.factors.activate(factorId, createdAt, null);
    }
    console.log(
      `seeded ${USERS} users with an active authenticator in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return { adminToken: token, keys };
  });
}

function run(url, { duration, amount, body, next, adminToken: token }) {
  const headers = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  return autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    ...(amount ? { amount } : { duration }),
    headers,
    ...(next ? { requests: [{ setupRequest: (req) => ({ ...req, body: next() }) }] } : { body }),
  });
}

function report(rows) {
  console.log(
    `\n${'case'.padEnd(22)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'non-2xx'.padStart(8)}`,
  );
  for (const [name, r] of rows) {
    console.log(
      `${name.padEnd(22)} ${r.requests.average.toFixed(0).padStart(9)} ${String(r.latency.p50).padStart(8)} ${String(r.latency.p99).padStart(8)} ${String(r.non2xx).padStart(8)}`,
    );
  }
  console.log('');
}
