// npm run bench:cpanel: WHM `twofactorauth_get_user_configs` for an admin over 100,000 accounts.
//
// Seeds a fresh SQLite database through the repositories, in transactions of a few thousand
// rows (argon2 for 100,000 sign-ups would only measure the seeding): top-level accounts with a
// primary domain, one in ten with an active authenticator, one in a hundred with an e-mail
// account (which the answer must leave out). Tessera then runs in a child process; one call is
// made over HTTP with a WHM API token. Prints the seconds the answer took, its size, and the
// server's peak resident memory (VmHWM) before and after the call.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TOTP_PARAMS, generateTotpSecret } from '@tessera/core';
import { seedWith, startChild } from './bench-support.mjs';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 100_000);
const BATCH = 5_000;

const dataDir = await mkdtemp(join(tmpdir(), 'tessera-bench-cpanel-'));
const env = {
  ...process.env,
  TESSERA_DATA_DIR: dataDir,
  TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
  TESSERA_LOG_LEVEL: 'warn',
  PORT: '0',
};

let server;
try {
  const { authorization, subAccounts } = await seed();
  server = await startChild('bench/tessera-server.child.mjs', env);
  const before = await peakRss(server.child.pid);
  const started = process.hrtime.bigint();
  const response = await fetch(`${server.url}/json-api/twofactorauth_get_user_configs`, {
    headers: { authorization },
  });
  const text = await response.text();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const after = await peakRss(server.child.pid);
  const body = JSON.parse(text);
  const listed = Object.keys(body.data ?? {}).length;
  // Every top-level account (the admin's too), none of the sub-accounts.
  const expected = ACCOUNTS + 1;
  console.log(`get_user_configs over ${ACCOUNTS} accounts (+${subAccounts} e-mail sub-accounts left out)`);
  console.log(`  HTTP ${response.status}, result ${body.metadata?.result}, ${listed} accounts listed`);
  console.log(`  ${seconds.toFixed(2)} s, ${(text.length / 1e6).toFixed(1)} MB of JSON`);
  console.log(`  server peak RSS: ${mb(before)} MB before the call, ${mb(after)} MB after`);
  if (response.status !== 200 || body.metadata?.result !== 1 || listed !== expected) {
    console.log(`note: expected ${expected} accounts listed with result 1`);
    process.exitCode = 1;
  }
} finally {
  server?.child.kill('SIGTERM');
  await rm(dataDir, { recursive: true, force: true });
}

async function seed() {
  return seedWith(env, 'read', async ({ storage, box, admin, token }) => {
    const started = Date.now();
    let subAccounts = 0;
    for (let first = 0; first < ACCOUNTS; first += BATCH) {
      await storage.transaction(async (tx) => {
        for (let i = first; i < Math.min(first + BATCH, ACCOUNTS); i++) {
          const createdAt = new Date();
          const user = account(`bench${i}`, admin.passwordHash, createdAt, { domain: `bench${i}.example` });
          await tx.users.create(user);
          if (i % 10 === 0) {
            const factorId = randomUUID();
            const key = generateTotpSecret();
            await tx.factors.insertActive({
              id: factorId,
              userId: user.id,
              kind: 'totp',
              status: 'active',
              details: {
                sealedSecret: box.seal(key, `factor:${factorId}`),
                ...DEFAULT_TOTP_PARAMS,
                lastUsedStep: null,
              },
              createdAt,
              expiresAt: null,
              activatedAt: createdAt,
            });
          }
          if (i % 100 === 0) {
            await tx.users.create(
              account(`info@bench${i}.example`, admin.passwordHash, createdAt, { ownerId: user.id, subKind: 'email' }),
            );
            subAccounts += 1;
          }
        }
      });
    }
    console.log(`seeded ${ACCOUNTS} accounts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { authorization: `whm bench-admin:${token}`, subAccounts };
  });
}

function account(username, passwordHash, createdAt, extra) {
  return {
    id: randomUUID(),
    username,
    email: null,
    phone: null,
    passwordHash,
    role: 'user',
    issuer: null,
    domain: null,
    ownerId: null,
    subKind: null,
    createdAt,
    ...extra,
  };
}

/** The process's peak resident set size in bytes (Linux: VmHWM). */
async function peakRss(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb * 1024;
}

function mb(bytes) {
  return (bytes / 1024 / 1024).toFixed(0);
}
