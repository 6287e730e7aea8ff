// npm run soak: a bounded soak under database faults (not part of npm test). Starts a private
// PostgreSQL (initdb/pg_ctl from /usr/lib/postgresql/*/bin, in a temp dir on a free port), the
// real server on it as a child, and drives mixed traffic through the native API and two
// dialects (vpsbg, whm) while killing the server's PostgreSQL connections every few seconds.
// At the end it checks what it was told: every sign-up answered 201 signs in, and no code was
// accepted twice. Prints requests, 5xx other than 503, crashes, acknowledged writes lost,
// replays accepted and the longest time from a kill to the next success; exits 1 unless the
// last four are 0 (and recovery is within 10 s).
//
// TESSERA_SOAK_SECONDS (default 120), TESSERA_SOAK_KILL_EVERY_MS (default 3000),
// TESSERA_SOAK_CONCURRENCY (default 8). Redis is not part of this run.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { DEFAULT_TOTP_PARAMS, generateTotpSecret, loadConfig, SecretBox, SYSTEM_ACTOR, totpAt } from '@tessera/core';
import { createLogger, openRuntime } from '@tessera/server';
import pg from 'pg';

const SECONDS = Number(process.env.TESSERA_SOAK_SECONDS ?? 120);
const KILL_EVERY_MS = Number(process.env.TESSERA_SOAK_KILL_EVERY_MS ?? 3000);
const CONCURRENCY = Number(process.env.TESSERA_SOAK_CONCURRENCY ?? 8);
const TOTP_USERS = 16;
const DATABASE = 'tessera_soak';
const PASSWORD = 'correct horse battery';

// --- a private PostgreSQL ------------------------------------------------------------------

function postgresBin() {
  const root = '/usr/lib/postgresql';
  const newest = (existsSync(root) ? readdirSync(root) : []).filter((v) => /^\d+$/.test(v)).sort((a, b) => b - a)[0];
  if (!newest) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql/*/bin');
  return join(root, newest, 'bin');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startPostgres() {
  const bin = postgresBin();
  const asRoot = process.getuid?.() === 0;
  const user = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
      }
    : {};
  const dir = mkdtempSync(join(tmpdir(), 'tessera-soak-pg-'));
  if (asRoot) chownSync(dir, user.uid, user.gid);
  const port = await freePort();
  const run = (program, args) => execFileSync(join(bin, program), args, { stdio: 'pipe', cwd: dir, ...user });
  const cluster = join(dir, 'cluster');
  run('initdb', ['-D', cluster, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c max_connections=200`;
  run('pg_ctl', ['-D', cluster, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  const url = (db) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  const admin = async (statement, values = []) => {
    const client = new pg.Client({ connectionString: url('postgres') });
    client.on('error', () => {});
    await client.connect();
    try {
      return (await client.query(statement, values)).rows;
    } finally {
      await client.end().catch(() => {});
    }
  };
  return {
    url,
    admin,
    async terminate() {
      const rows = await admin(
        'select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [DATABASE],
      );
      return rows.filter((row) => row.ended).length;
    },
    dispose() {
      try {
        run('pg_ctl', ['-D', cluster, '-m', 'immediate', '-w', 'stop']);
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// --- the server --------------------------------------------------------------------------------

function startServer(env) {
  const child = spawn(process.execPath, ['packages/cli/bin/tessera.js', 'serve'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr = [];
  child.stderr.on('data', (chunk) => stderr.push(chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`tessera serve exited with ${code}: ${stderr.join('')}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('Server listening')) resolve(child);
    });
  });
}

async function seed(env) {
  const config = loadConfig(env);
  const runtime = await openRuntime(config, createLogger('silent'), env);
  try {
    const { core, storage } = runtime;
    const box = new SecretBox(config.secretKey);
    await core.accounts.create(SYSTEM_ACTOR, { username: 'admin', password: PASSWORD, role: 'admin' });
    const admin = await core.accounts.getByUsername('admin');
    const users = [];
    for (let i = 0; i < TOTP_USERS; i++) {
      const username = `soak${i}`;
      const key = generateTotpSecret();
      const [userId, factorId, createdAt] = [randomUUID(), randomUUID(), new Date()];
      await storage.users.create({
        id: userId,
        username,
        email: `${username}@example.test`,
        phone: null,
        passwordHash: admin.passwordHash,
        role: 'user',
        issuer: null,
        externalId: null,
        disabledAt: null,
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
      const { token } = await core.apiTokens.issue(userId, 'soak', 'write');
      users.push({ username, key, token });
    }
    return { adminToken: (await core.apiTokens.issue(admin.id, 'soak', 'write')).token, users };
  } finally {
    await runtime.close();
  }
}

// --- the run ---------------------------------------------------------------------------------

const postgres = await startPostgres();
let server;
try {
  await postgres.admin(`create database ${DATABASE}`);
  const port = await freePort();
  const env = {
    ...process.env,
    TESSERA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tessera-soak-')),
    TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
    TESSERA_DATABASE_URL: postgres.url(DATABASE),
    TESSERA_WORKERS: '1',
    TESSERA_LOG_LEVEL: 'info',
    TESSERA_SIGNUP: 'open',
    TESSERA_LOCKOUT_MAX_FAILURES: '100000',
    TESSERA_LOCKOUT_FAILURE_CEILING: '1000000',
    TESSERA_RATE_LIMIT_VERIFY_PER_MINUTE: '1000000',
    TESSERA_RATE_LIMIT_SIGN_UP_PER_HOUR: '1000000',
    TESSERA_RATE_LIMIT_SIGN_IN_PER_MINUTE: '1000000',
    TESSERA_RATE_LIMIT_OTHER_PER_MINUTE: '1000000',
    PORT: String(port),
  };
  const { adminToken, users } = await seed(env);
  server = await startServer(env);
  let crashes = 0;
  server.on('exit', () => crashes++);
  const base = `http://127.0.0.1:${port}`;

  const statuses = new Map();
  let requests = 0;
  let lastSuccessAt = performance.now();
  const send = async (path, init) => {
    requests++;
    try {
      const response = await fetch(`${base}${path}`, init);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status < 300) lastSuccessAt = performance.now();
      return response;
    } catch {
      statuses.set('no answer', (statuses.get('no answer') ?? 0) + 1);
      return undefined;
    }
  };
  const json = (body) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const withToken = (init, token) => ({ ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } });

  const signedUp = [];
  const accepted = new Map(); // "username code" -> times answered valid
  let next = 0;
  const actions = [
    async () => {
      const username = `signup${next++}`;
      const response = await send('/api/v1/users', json({ username, password: PASSWORD }));
      if (response?.status === 201) signedUp.push(username);
    },
    async () => {
      const user = users[Math.floor(Math.random() * users.length)];
      const code = totpAt(user.key, Math.floor(Date.now() / 1000), DEFAULT_TOTP_PARAMS);
      const response = await send('/api/v1/verify', withToken(json({ username: user.username, code }), adminToken));
      if (response?.status !== 200) return;
      const body = await response.json().catch(() => ({}));
      if (body.valid) accepted.set(`${user.username} ${code}`, (accepted.get(`${user.username} ${code}`) ?? 0) + 1);
    },
    async () => {
      const user = users[Math.floor(Math.random() * users.length)];
      await send('/v1/user/2fa', { headers: { authorization: `Bearer ${user.token}` } });
    },
    async () => {
      const user = users[Math.floor(Math.random() * users.length)];
      await send('/json-api/twofactorauth_get_user_configs', {
        headers: { authorization: `whm ${user.username}:${user.token}` },
      });
    },
  ];

  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  let kills = 0;
  let killedConnections = 0;
  let longestRecoveryMs = 0;
  const killer = (async () => {
    while (performance.now() + KILL_EVERY_MS < deadline) {
      await new Promise((resolve) => setTimeout(resolve, KILL_EVERY_MS));
      const killedAt = performance.now();
      killedConnections += await postgres.terminate();
      kills++;
      // The time from the kill to the next request answered with success.
      while (lastSuccessAt <= killedAt && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      longestRecoveryMs = Math.max(longestRecoveryMs, Math.max(0, lastSuccessAt - killedAt));
    }
  })();
  await Promise.all([
    killer,
    ...Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let i = worker; performance.now() < deadline; i++) await actions[i % actions.length]();
    }),
  ]);

  // What it was told must hold: every sign-up signs in, no code is accepted again.
  let lost = 0;
  for (const username of signedUp) {
    const response = await fetch(`${base}/api/v1/auth/sign-in`, json({ username, password: PASSWORD }));
    if (response.status !== 200) lost++;
  }
  let replays = [...accepted.values()].reduce((sum, times) => sum + (times - 1), 0);
  for (const key of accepted.keys()) {
    const [username, code] = key.split(' ');
    const response = await fetch(`${base}/api/v1/verify`, withToken(json({ username, code }), adminToken));
    if ((await response.json()).valid) replays++;
  }

  const serverErrors = [...statuses].filter(
    ([status]) => typeof status === 'number' && status >= 500 && status !== 503,
  );
  const fiveXxOther = serverErrors.reduce((sum, [, n]) => sum + n, 0);
  const byStatus = Object.fromEntries([...statuses].sort(([a], [b]) => String(a).localeCompare(String(b))));
  console.log(`soak: ${SECONDS} s, ${CONCURRENCY} clients, native API + vpsbg + whm on PostgreSQL`);
  console.log(`  connections killed:        ${killedConnections} in ${kills} kills, every ${KILL_EVERY_MS} ms`);
  console.log(`  requests:                  ${requests} ${JSON.stringify(byStatus)}`);
  console.log(`  5xx other than 503:        ${fiveXxOther}`);
  console.log(`  crashes:                   ${crashes}`);
  console.log(`  acknowledged writes lost:  ${lost} of ${signedUp.length} sign-ups`);
  console.log(`  replays accepted:          ${replays} (of ${accepted.size} codes accepted)`);
  console.log(`  longest recovery:          ${Math.round(longestRecoveryMs)} ms`);
  console.log('  redis:                     not part of this run');
  process.exitCode =
    fiveXxOther === 0 && crashes === 0 && lost === 0 && replays === 0 && longestRecoveryMs < 10_000 ? 0 : 1;
} finally {
  if (server && server.exitCode === null) server.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  postgres.dispose();
}
