/**
 * Property: with two server processes on one port (TESSERA_WORKERS=2), a code is still accepted
 * once and the lockout still holds, because both live in the database and not in a process:
 * the replay and lockout races of totp-single-use.test.ts and second-factor-lockout.test.ts,
 * against `tessera serve` itself, on SQLite (and on PostgreSQL when the suite is pointed at it).
 * Also: SIGTERM stops both workers and the supervising process cleanly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../packages/core/src/auth/actor.js';
import { loadConfig } from '../../packages/core/src/config/config.js';
import { SecretBox } from '../../packages/core/src/crypto/secret-box.js';
import { DEFAULT_TOTP_PARAMS, generateTotpSecret, totpAt } from '../../packages/core/src/otp/index.js';
import { createLogger } from '../../packages/server/src/http/logging.js';
import { openRuntime } from '../../packages/server/src/runtime.js';

const postgresUrl = process.env.TESSERA_TEST_DATABASE_URL;
// Above the 50 racers of the replay case (each attempt reserves a failure until it is checked),
// within reach of the 80 guesses of the lockout case.
const MAX_FAILURES = 60;
const GUESSES = 80;

describe.each([{ kind: 'sqlite' as const }, ...(postgresUrl ? [{ kind: 'postgres' as const }] : [])])(
  'two workers on $kind',
  ({ kind }) => {
    let dataDir: string;
    let env: Record<string, string | undefined>;
    let server: ChildProcess;
    let url: string;
    let adminToken: string;
    const keys = new Map<string, Uint8Array>();
    let dropSchema: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'tessera-workers-'));
      const port = await freePort();
      env = {
        ...process.env,
        TESSERA_DATA_DIR: dataDir,
        TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
        TESSERA_WORKERS: '2',
        TESSERA_LOG_LEVEL: 'info',
        TESSERA_LOCKOUT_MAX_FAILURES: String(MAX_FAILURES),
        TESSERA_RATE_LIMIT_VERIFY_PER_MINUTE: '100000',
        PORT: String(port),
        TESSERA_DATABASE_URL: kind === 'postgres' ? await freshSchemaUrl() : '',
      };
      adminToken = await seed(['replayed', 'guessed']);
      server = spawn(process.execPath, ['packages/cli/bin/tessera.js', 'serve'], {
        env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await bothListening(server);
      url = `http://127.0.0.1:${port}`;
    }, 60_000);

    afterAll(async () => {
      if (server.exitCode === null) server.kill('SIGKILL');
      await dropSchema?.();
      await rm(dataDir, { recursive: true, force: true });
    });

    async function freshSchemaUrl(): Promise<string> {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`create schema ${schema}`);
      await client.end();
      dropSchema = async () => {
        const dropper = new pg.Client({ connectionString: postgresUrl });
        await dropper.connect();
        await dropper.query(`drop schema ${schema} cascade`);
        await dropper.end();
      };
      const withSchema = new URL(postgresUrl ?? '');
      withSchema.searchParams.set('options', `-c search_path=${schema}`);
      return withSchema.toString();
    }

    /** An admin token, and users with an active authenticator, written before the server starts. */
    async function seed(usernames: string[]): Promise<string> {
      const config = loadConfig(env);
      const runtime = await openRuntime(config, createLogger('warn'), env);
      try {
        const box = new SecretBox(config.secretKey ?? new Uint8Array());
        const { core, storage } = runtime;
        await core.accounts.create(SYSTEM_ACTOR, { username: 'admin', password: 'admin password', role: 'admin' });
        const admin = await core.accounts.getByUsername('admin');
        for (const username of usernames) {
          const key = generateTotpSecret();
          keys.set(username, key);
          const userId = randomUUID();
          const factorId = randomUUID();
          const createdAt = new Date();
          await storage.users.create({
            id: userId,
            username,
            email: null,
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
        }
        return (await core.apiTokens.issue(admin.id, 'test', 'write')).token;
      } finally {
        await runtime.close();
      }
    }

    function verify(username: string, code: string): Promise<Response> {
      return fetch(`${url}/api/v1/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify({ username, code }),
      });
    }

    function currentCode(username: string): string {
      const key = keys.get(username);
      if (!key) throw new Error(`no key for ${username}`);
      return totpAt(key, Math.floor(Date.now() / 1000), DEFAULT_TOTP_PARAMS);
    }

    it('50 concurrent verifications of one code: exactly one succeeds', async () => {
      const code = currentCode('replayed');
      const responses = await Promise.all(Array.from({ length: 50 }, () => verify('replayed', code)));
      expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
      const bodies = (await Promise.all(responses.map((r) => r.json()))) as { valid: boolean }[];
      expect(bodies.filter((b) => b.valid)).toHaveLength(1);
    });

    it('80 simultaneous wrong guesses are checked at most 59 times, and the lock holds', async () => {
      const code = currentCode('guessed');
      const wrong = code === '000000' ? '111111' : '000000';
      const responses = await Promise.all(Array.from({ length: GUESSES }, () => verify('guessed', wrong)));
      expect(responses.filter((r) => r.status === 200).length).toBeLessThanOrEqual(MAX_FAILURES - 1);
      expect(responses.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(GUESSES - MAX_FAILURES + 1);
      // Locked for every worker: the right code is refused on each of several requests.
      const right = await Promise.all(Array.from({ length: 4 }, () => verify('guessed', currentCode('guessed'))));
      expect(right.map((r) => r.status)).toEqual([429, 429, 429, 429]);
    });

    it('SIGTERM stops both workers and the supervisor, which exits 0', async () => {
      const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    });
  },
);

/** Resolves once both workers have logged that they listen. */
function bothListening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let listening = 0;
    child.once('exit', (code) => reject(new Error(`tessera serve exited with ${code}`)));
    if (!child.stdout) throw new Error('no stdout');
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.includes('Server listening')) listening++;
      if (listening === 2) resolve();
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
