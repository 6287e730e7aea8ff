/**
 * kill -9 of a running server under mixed load, on each database: nothing it acknowledged is
 * lost (every account whose sign-up was answered 201 signs in after a restart) and nothing it
 * spent is usable again (every code answered valid is refused after the restart).
 *
 * Spawns the built CLI (`npm run build` first), as two-workers.test.ts does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DEFAULT_TOTP_PARAMS, generateTotpSecret, loadConfig, SecretBox, SYSTEM_ACTOR, totpAt } from '@tessera/core';
import { createLogger, openRuntime } from '@tessera/server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const postgresUrl = process.env.TESSERA_TEST_DATABASE_URL;
const USERS = 8;

describe.each([{ kind: 'sqlite' as const }, ...(postgresUrl ? [{ kind: 'postgres' as const }] : [])])(
  'kill -9 under mixed load on $kind',
  ({ kind }) => {
    let dataDir: string;
    let env: NodeJS.ProcessEnv;
    let url: string;
    let server: ChildProcess | undefined;
    let adminToken: string;
    let dropSchema: (() => Promise<void>) | undefined;
    const keys = new Map<string, Uint8Array>();

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'tessera-kill-'));
      const port = await freePort();
      env = {
        ...process.env,
        TESSERA_DATA_DIR: dataDir,
        TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
        TESSERA_WORKERS: '1',
        TESSERA_LOG_LEVEL: 'warn',
        TESSERA_SIGNUP: 'open',
        TESSERA_LOCKOUT_MAX_FAILURES: '100000',
        TESSERA_LOCKOUT_FAILURE_CEILING: '1000000',
        TESSERA_RATE_LIMIT_VERIFY_PER_MINUTE: '1000000',
        TESSERA_RATE_LIMIT_SIGN_UP_PER_HOUR: '1000000',
        TESSERA_RATE_LIMIT_SIGN_IN_PER_MINUTE: '1000000',
        PORT: String(port),
        TESSERA_DATABASE_URL: kind === 'postgres' ? await freshSchemaUrl() : '',
      };
      url = `http://127.0.0.1:${port}`;
      adminToken = await seed();
    }, 60_000);

    afterAll(async () => {
      if (server && server.exitCode === null) server.kill('SIGKILL');
      await dropSchema?.();
      await rm(dataDir, { recursive: true, force: true });
    });

    async function freshSchemaUrl(): Promise<string> {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      await adminStatement(`create schema ${schema}`);
      dropSchema = () => adminStatement(`drop schema ${schema} cascade`);
      const withSchema = new URL(postgresUrl ?? '');
      withSchema.searchParams.set('options', `-c search_path=${schema}`);
      return withSchema.toString();
    }

    /** An admin token and users with an active authenticator, written before the server starts. */
    async function seed(): Promise<string> {
      const config = loadConfig(env);
      const runtime = await openRuntime(config, createLogger('silent'), env);
      try {
        const box = new SecretBox(config.secretKey ?? new Uint8Array());
        const { core, storage } = runtime;
        await core.accounts.create(SYSTEM_ACTOR, { username: 'admin', password: 'admin password', role: 'admin' });
        const admin = await core.accounts.getByUsername('admin');
        for (let i = 0; i < USERS; i++) {
          const username = `totp${i}`;
          const key = generateTotpSecret();
          keys.set(username, key);
          const [userId, factorId, createdAt] = [randomUUID(), randomUUID(), new Date()];
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

    function post(path: string, body: unknown, token?: string): Promise<Response> {
      return fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    }

    function codeOf(username: string): string {
      const key = keys.get(username);
      if (!key) throw new Error(`no key for ${username}`);
      return totpAt(key, Math.floor(Date.now() / 1000), DEFAULT_TOTP_PARAMS);
    }

    it('loses nothing acknowledged and revives nothing spent', async () => {
      server = await start(env);
      const signedUp: string[] = [];
      const spent: { username: string; code: string }[] = [];
      let stop = false;
      let next = 0;
      const signUps = Array.from({ length: 3 }, async () => {
        while (!stop) {
          const username = `load${next++}`;
          const response = await post('/api/v1/users', { username, password: 'correct horse battery' }).catch(
            () => undefined,
          );
          if (response?.status === 201) signedUp.push(username);
        }
      });
      const verifications = Array.from({ length: USERS }, async (_, i) => {
        const username = `totp${i}`;
        while (!stop) {
          const code = codeOf(username);
          const response = await post('/api/v1/verify', { username, code }, adminToken).catch(() => undefined);
          if (response?.status !== 200) continue;
          const body = (await response.json().catch(() => ({}))) as { valid?: boolean };
          if (body.valid) spent.push({ username, code });
        }
      });
      while (signedUp.length < 30 || spent.length < USERS) await new Promise((resolve) => setTimeout(resolve, 20));

      server.kill('SIGKILL');
      await new Promise((resolve) => server?.once('exit', resolve));
      stop = true;
      await Promise.all([...signUps, ...verifications]);

      server = await start(env);
      for (const username of signedUp) {
        const response = await post('/api/v1/auth/sign-in', { username, password: 'correct horse battery' });
        expect(response.status, username).toBe(200);
      }
      for (const { username, code } of spent) {
        const response = await post('/api/v1/verify', { username, code }, adminToken);
        expect(await response.json(), `${username} ${code}`).toEqual({ valid: false });
      }
      server.kill('SIGTERM');
    }, 90_000);
  },
);

async function adminStatement(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** `tessera serve`, resolved once it listens. */
function start(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['packages/cli/bin/tessera.js', 'serve'], {
    env: { ...env, TESSERA_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`tessera serve exited with ${code}`)));
    if (!child.stdout) throw new Error('no stdout');
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.includes('Server listening')) resolve(child);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
