/**
 * kill -9 of a server with webhook events in its outbox, on each database: the deliveries it
 * was sending when it died (leased, unanswered) and those still waiting behind them are all
 * delivered by the server started after it. And two worker processes (TESSERA_WORKERS=2), each
 * with its dispatcher, share one outbox without sending an event twice. Spawns the built CLI
 * (`npm run build` first), as kill-9.test.ts does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig, SYSTEM_ACTOR } from '@tessera/core';
import { createLogger, openRuntime } from '@tessera/server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSignedBy, WebhookReceiver } from '../support/webhook-receiver.js';

const postgresUrl = process.env.TESSERA_TEST_DATABASE_URL;
const USERS = 4;

describe.each([{ kind: 'sqlite' as const }, ...(postgresUrl ? [{ kind: 'postgres' as const }] : [])])(
  'kill -9 with webhooks in the outbox on $kind',
  ({ kind }) => {
    let dataDir: string;
    let env: NodeJS.ProcessEnv;
    let server: ChildProcess | undefined;
    let dropSchema: (() => Promise<void>) | undefined;
    const receiver = new WebhookReceiver();
    let secret = '';
    const eventIds = new Set<string>();

    beforeAll(async () => {
      await receiver.start();
      dataDir = await mkdtemp(join(tmpdir(), 'tessera-webhook-kill-'));
      env = {
        ...process.env,
        TESSERA_DATA_DIR: dataDir,
        TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
        TESSERA_WORKERS: '1',
        TESSERA_LOG_LEVEL: 'warn',
        // An attempt that hangs ends after a second; a dead process's leases run out 5 s later.
        TESSERA_WEBHOOK_TIMEOUT_SECONDS: '1',
        TESSERA_WEBHOOK_POLL_MS: '100',
        PORT: String(await freePort()),
        TESSERA_DATABASE_URL: kind === 'postgres' ? await freshSchemaUrl() : '',
      };
      await seed();
    }, 60_000);

    afterAll(async () => {
      if (server && server.exitCode === null) server.kill('SIGKILL');
      await receiver.close();
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

    /** An endpoint and two events per account in the outbox, written before the server starts. */
    async function seed(): Promise<void> {
      const runtime = await openRuntime(loadConfig(env), createLogger('silent'), env);
      try {
        const { core } = runtime;
        const created = await core.webhooks.create(SYSTEM_ACTOR, { url: receiver.url('/kill') });
        secret = created.secret;
        for (let i = 0; i < USERS; i++) {
          const user = await core.accounts.create(SYSTEM_ACTOR, { username: `hooked${i}`, password: 'correct horse' });
          // Two events of the account: the second waits behind the first.
          await core.admin.unlockSecondFactor(SYSTEM_ACTOR, user.id);
          await core.admin.unlockSecondFactor(SYSTEM_ACTOR, user.id);
        }
      } finally {
        await runtime.close();
      }
    }

    it('delivers after the restart what was leased or waiting when the server died', async () => {
      // The receiver takes the first attempts and never answers them: the server dies holding their leases.
      receiver.script('/kill', Array(USERS).fill('hang'));
      server = await start(env);
      await until(() => receiver.at('/kill').length >= USERS);
      server.kill('SIGKILL');
      await new Promise((resolve) => server?.once('exit', resolve));
      const beforeRestart = receiver.at('/kill').length;
      for (const request of receiver.at('/kill')) eventIds.add(String(request.headers['webhook-id']));
      expect(eventIds.size).toBe(USERS);

      server = await start(env);
      // Every event (two per account) arrives and is answered 204.
      await until(
        () =>
          new Set(
            receiver
              .at('/kill')
              .slice(beforeRestart)
              .map((r) => r.headers['webhook-id']),
          ).size >=
          2 * USERS,
      );
      const after = receiver.at('/kill').slice(beforeRestart);
      for (const request of after) expectSignedBy(secret, request);
      const byUser = new Map<string, string[]>();
      for (const request of after) {
        const id = String(request.payload.data.userId);
        byUser.set(id, [...(byUser.get(id) ?? []), String(request.headers['webhook-id'])]);
      }
      expect(byUser.size).toBe(USERS);
      for (const ids of byUser.values()) {
        // The one in flight at the kill comes first again, then the one behind it.
        expect(eventIds.has(ids[0] ?? '')).toBe(true);
        expect(new Set(ids).size).toBe(2);
      }
      server.kill('SIGTERM');
      await new Promise((resolve) => server?.once('exit', resolve));

      const runtime = await openRuntime(loadConfig(env), createLogger('silent'), env);
      try {
        const [endpoint] = await runtime.core.webhooks.list(SYSTEM_ACTOR);
        const page = await runtime.core.webhooks.deliveries(SYSTEM_ACTOR, endpoint?.id ?? '', { limit: 100 });
        expect(page.items.map((d) => d.status)).toEqual(Array(2 * USERS).fill('delivered'));
      } finally {
        await runtime.close();
      }
    }, 90_000);
  },
);

describe.each([{ kind: 'sqlite' as const }, ...(postgresUrl ? [{ kind: 'postgres' as const }] : [])])(
  'two worker processes sharing the outbox on $kind',
  ({ kind }) => {
    const receiver = new WebhookReceiver();
    let dataDir: string;
    let server: ChildProcess | undefined;
    let dropSchema: (() => Promise<void>) | undefined;

    afterAll(async () => {
      if (server && server.exitCode === null) server.kill('SIGKILL');
      await receiver.close();
      await dropSchema?.();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('send every event exactly once between them, each account in order', async () => {
      await receiver.start();
      dataDir = await mkdtemp(join(tmpdir(), 'tessera-webhook-workers-'));
      let databaseUrl = '';
      if (kind === 'postgres') {
        const schema = `t_${randomBytes(6).toString('hex')}`;
        await adminStatement(`create schema ${schema}`);
        dropSchema = () => adminStatement(`drop schema ${schema} cascade`);
        const withSchema = new URL(postgresUrl ?? '');
        withSchema.searchParams.set('options', `-c search_path=${schema}`);
        databaseUrl = withSchema.toString();
      }
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        TESSERA_DATA_DIR: dataDir,
        TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
        TESSERA_WORKERS: '2',
        TESSERA_WEBHOOK_POLL_MS: '50',
        PORT: String(await freePort()),
        TESSERA_DATABASE_URL: databaseUrl,
      };
      const runtime = await openRuntime(loadConfig(env), createLogger('silent'), env);
      const accounts = 10;
      try {
        await runtime.core.webhooks.create(SYSTEM_ACTOR, { url: receiver.url('/workers') });
        for (let i = 0; i < accounts; i++) {
          const user = await runtime.core.accounts.create(SYSTEM_ACTOR, {
            username: `worker${i}`,
            password: 'correct horse',
          });
          for (let j = 0; j < 3; j++) await runtime.core.admin.unlockSecondFactor(SYSTEM_ACTOR, user.id);
        }
      } finally {
        await runtime.close();
      }
      server = await start(env);
      await until(() => receiver.at('/workers').length >= 3 * accounts);
      server.kill('SIGTERM');
      await new Promise((resolve) => server?.once('exit', resolve));
      const ids = receiver.at('/workers').map((r) => String(r.headers['webhook-id']));
      expect(ids).toHaveLength(3 * accounts);
      expect(new Set(ids).size).toBe(3 * accounts);
      for (const request of receiver.at('/workers')) {
        const mine = receiver.at('/workers').filter((r) => r.payload.data.userId === request.payload.data.userId);
        expect(mine.map((r) => r.payload.timestamp)).toEqual(mine.map((r) => r.payload.timestamp).sort());
      }
    }, 90_000);
  },
);

/** Waits for a condition the servers make true (a real process cannot run on a test's clock). */
async function until(condition: () => boolean, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the webhooks');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

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
