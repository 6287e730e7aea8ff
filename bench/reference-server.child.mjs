// The same-work reference: what a server-to-server verify must do, done plainly on the same stack,
// with no Tessera code. Fastify with a JSON schema on the body; the API token looked up by its
// keyed hash (one point read); the user, the factor and its lockout row in one statement; the
// TOTP key unsealed with AES-256-GCM; the RFC 6238 window t-1..t+1; a wrong code recorded with a
// compare-and-set UPDATE, committed (WAL, synchronous = NORMAL); a valid code's used step recorded
// by compare-and-set and the failure count reset in one commit. better-sqlite3 prepared
// statements; no logging, no rate limit. It answers as Tessera's POST /api/v1/verify does.
//
// BENCH_REFERENCE_SEED names a JSON file: { token, users: [{ username, key (base64) }] }.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const seed = JSON.parse(readFileSync(process.env.BENCH_REFERENCE_SEED, 'utf8'));
const sealKey = randomBytes(32);
const tokenKey = randomBytes(32);
const keyedHash = (token) => createHmac('sha256', tokenKey).update(token).digest();

const db = new Database(join(process.env.BENCH_REFERENCE_DIR, 'reference.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`
  create table api_tokens (hash blob primary key, user_id text not null);
  create table users (id text primary key, username text not null unique);
  create table factors (id text primary key, user_id text not null unique, sealed blob not null, last_used_step integer);
  create table lockouts (user_id text primary key, failed_count integer not null, version integer not null);
`);
db.transaction(() => {
  db.prepare('insert into users values (?, ?)').run('admin', 'reference-admin');
  db.prepare('insert into api_tokens values (?, ?)').run(keyedHash(seed.token), 'admin');
  const user = db.prepare('insert into users values (?, ?)');
  const factor = db.prepare('insert into factors values (?, ?, ?, null)');
  const lockout = db.prepare('insert into lockouts values (?, 0, 0)');
  seed.users.forEach(({ username, key }, i) => {
    const id = `u${i}`;
    user.run(id, username);
    factor.run(`f${i}`, id, seal(Buffer.from(key, 'base64'), `f${i}`));
    lockout.run(id);
  });
})();

const tokenOwner = db.prepare('select user_id from api_tokens where hash = ?').pluck();
const toCheck = db.prepare(`
  select f.id, f.sealed, f.last_used_step, l.user_id, l.failed_count, l.version
  from users u join factors f on f.user_id = u.id join lockouts l on l.user_id = u.id
  where u.username = ?`);
const countFailure = db.prepare(
  'update lockouts set failed_count = failed_count + 1, version = version + 1 where user_id = ? and version = ?',
);
const recordStep = db.prepare(
  'update factors set last_used_step = ? where id = ? and (last_used_step is null or last_used_step < ?)',
);
const resetFailures = db.prepare(
  'update lockouts set failed_count = 0, version = version + 1 where user_id = ? and version = ?',
);
// One commit for a valid code: both compare-and-sets hold, or neither is written.
const accept = db.transaction((row, step) => {
  if (recordStep.run(step, row.id, step).changes !== 1) throw new Lost();
  if (resetFailures.run(row.user_id, row.version).changes !== 1) throw new Lost();
});
class Lost extends Error {}

const MAX_FAILURES = 1_000_000;
const app = Fastify({ logger: false });
app.post(
  '/verify',
  {
    schema: {
      body: {
        type: 'object',
        required: ['username', 'code'],
        additionalProperties: false,
        properties: { username: { type: 'string', maxLength: 128 }, code: { type: 'string', pattern: '^[0-9]{6}$' } },
      },
    },
  },
  async (request, reply) => {
    const auth = request.headers.authorization;
    if (!auth?.startsWith('Bearer ') || !tokenOwner.get(keyedHash(auth.slice(7)))) {
      return reply.code(401).send({ error: 'unauthorized' });
    }
    const { username, code } = request.body;
    for (;;) {
      const row = toCheck.get(username);
      if (!row) return reply.code(404).send({ error: 'not found' });
      if (row.failed_count >= MAX_FAILURES) return reply.code(429).send({ error: 'locked' });
      const key = unseal(row.sealed, row.id);
      const step = matchingStep(key, code, Math.floor(Date.now() / 1000));
      key.fill(0);
      if (step === undefined || (row.last_used_step !== null && step <= row.last_used_step)) {
        if (countFailure.run(row.user_id, row.version).changes === 1) return { valid: false };
        continue; // another attempt changed the row first: read it again
      }
      try {
        accept(row, step);
        return { valid: true };
      } catch (error) {
        if (!(error instanceof Lost)) throw error;
      }
    }
  },
);

/** The step of t-1..t+1 whose code is `code`, or undefined. */
function matchingStep(key, code, seconds) {
  const now = Math.floor(seconds / 30);
  const offered = Buffer.from(code);
  for (const step of [now - 1, now, now + 1]) {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(step));
    const mac = createHmac('sha1', key).update(counter).digest();
    const offset = mac[mac.length - 1] & 0xf;
    const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
    if (timingSafeEqual(Buffer.from(String(value).padStart(6, '0')), offered)) return step;
  }
  return undefined;
}

function seal(plain, context) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey, iv).setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function unseal(sealed, context) {
  const decipher = createDecipheriv('aes-256-gcm', sealKey, sealed.subarray(0, 12)).setAAD(Buffer.from(context));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}

const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${url}\n`);
process.on('message', (message) => {
  if (message !== 'usage' && message !== 'usage-after-gc') return;
  // --expose-gc is given by the bench: "usage-after-gc" collects garbage first.
  if (message === 'usage-after-gc') globalThis.gc?.();
  process.send?.({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
});
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
