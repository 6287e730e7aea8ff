// The peer, side by side: better-auth with its twoFactor plugin on SQLite (better-sqlite3), served
// by its own Node handler. Signs up BENCH_BETTER_AUTH_USERS users, enables TOTP for each (its own
// enable endpoint, then a first valid code), writes each user's session cookie and TOTP key to
// BENCH_REFERENCE_DIR/better-auth-users.json, and prints its URL. The bench then calls
// POST /api/auth/two-factor/verify-totp with the session cookie, as a signed-in user would.
//
// Passwords are hashed with a no-op for the seeding only: the measured endpoint never reads one.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { createOTP } from '@better-auth/utils/otp';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { twoFactor } from 'better-auth/plugins';
import Database from 'better-sqlite3';

const USERS = Number(process.env.BENCH_BETTER_AUTH_USERS ?? 300);
const dir = process.env.BENCH_REFERENCE_DIR;
const db = new Database(join(dir, 'better-auth.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${server.address().port}`;

const auth = betterAuth({
  baseURL,
  secret: 'bench-only-secret-bench-only-secret-0123456789',
  database: db,
  emailAndPassword: {
    enabled: true,
    password: { hash: async (password) => password, verify: async ({ hash, password }) => hash === password },
  },
  plugins: [twoFactor({ issuer: 'bench' })],
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { disabled: true },
});
const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const users = [];
for (let i = 0; i < USERS; i++) {
  const password = 'bench password';
  const signUp = await auth.api.signUpEmail({
    body: { email: `bench${i}@example.test`, password, name: `bench${i}` },
    asResponse: true,
  });
  const cookie = cookieOf(signUp);
  const headers = new Headers({ cookie });
  const { totpURI } = await auth.api.enableTwoFactor({ body: { password }, headers });
  const secret = new URL(totpURI).searchParams.get('secret');
  const key = new TextDecoder().decode(base32Decode(secret));
  // The first valid code confirms the enrollment (twoFactorEnabled, a new session): as a user would.
  const confirmed = await auth.api.verifyTOTP({
    body: { code: await createOTP(key, { period: 30, digits: 6 }).totp() },
    headers,
    asResponse: true,
  });
  if (!confirmed.ok) throw new Error(`better-auth: enrolling bench${i} failed with ${confirmed.status}`);
  users.push({ cookie: cookieOf(confirmed) || cookie, key });
}
writeFileSync(join(dir, 'better-auth-users.json'), JSON.stringify({ users }));

server.on('request', toNodeHandler(auth));
process.stdout.write(`${baseURL}\n`);
process.on('message', (message) => {
  if (message !== 'usage' && message !== 'usage-after-gc') return;
  // --expose-gc is given by the bench: "usage-after-gc" collects garbage first.
  if (message === 'usage-after-gc') globalThis.gc?.();
  process.send?.({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie header. */
function cookieOf(response) {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .filter((pair) => !pair.endsWith('='))
    .join('; ');
}

/** RFC 4648 base32 (the otpauth URI's secret), no padding. */
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const char of text.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}
