/**
 * TESSERA_WORKERS=2 with TESSERA_METRICS_PORT: `tessera serve` itself as a child process, known
 * traffic spread over both workers (one connection a request, which node:cluster hands to the
 * workers in turn), and each scrape of the one metrics port counts all of it, not one worker's
 * share. A worker killed with SIGKILL is replaced and the scrapes go on, without its counts. On
 * SQLite, and on PostgreSQL when the suite is pointed at it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sample, scrape } from '../support/prometheus-text.js';

const postgresUrl = process.env.TESSERA_TEST_DATABASE_URL;
const REQUESTS = 20;

describe.each([{ kind: 'sqlite' as const }, ...(postgresUrl ? [{ kind: 'postgres' as const }] : [])])(
  'metrics of two workers on $kind',
  ({ kind }) => {
    let dataDir: string;
    let server: ChildProcess;
    let apiUrl: string;
    let metricsUrl: string;
    let log: ServerLog;
    let dropSchema: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'tessera-metrics-workers-'));
      const [port, metricsPort] = [await freePort(), await freePort()];
      server = spawn(process.execPath, ['packages/cli/bin/tessera.js', 'serve'], {
        env: {
          ...process.env,
          TESSERA_DATA_DIR: dataDir,
          TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
          TESSERA_WORKERS: '2',
          TESSERA_LOG_LEVEL: 'info',
          TESSERA_WEB_UI: 'off',
          TESSERA_METRICS_PORT: String(metricsPort),
          PORT: String(port),
          TESSERA_DATABASE_URL: kind === 'postgres' ? await freshSchemaUrl() : '',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      log = await bothListening(server);
      apiUrl = `http://127.0.0.1:${port}`;
      metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    }, 60_000);

    afterAll(async () => {
      if (server.exitCode === null) server.kill('SIGKILL');
      await dropSchema?.();
      await rm(dataDir, { recursive: true, force: true });
    });

    async function freshSchemaUrl(): Promise<string> {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const admin = async (statement: string) => {
        const client = new pg.Client({ connectionString: postgresUrl });
        await client.connect();
        await client.query(statement);
        await client.end();
      };
      await admin(`create schema ${schema}`);
      dropSchema = () => admin(`drop schema ${schema} cascade`);
      const withSchema = new URL(postgresUrl ?? '');
      withSchema.searchParams.set('options', `-c search_path=${schema}`);
      return withSchema.toString();
    }

    it('one scrape counts the requests both workers answered, and every scrape the same', async () => {
      for (let i = 0; i < REQUESTS; i++) await healthOnNewConnection(`${apiUrl}/health`);
      // Both workers answered a share (by the pids of their request log lines), so one worker's
      // counts alone would fall short.
      const answeredBy = () =>
        log.lines
          .map((line) => JSON.parse(line) as { pid: number; msg: string; req?: { url: string } })
          .filter((entry) => entry.msg === 'request completed' && entry.req?.url === '/health')
          .map((entry) => entry.pid);
      // The workers write their log lines after answering: wait for the last ones to come through.
      await log.until(() => answeredBy().length === REQUESTS);
      expect(answeredBy()).toHaveLength(REQUESTS);
      expect(new Set(answeredBy()).size).toBe(2);

      for (const text of [await scrape(metricsUrl), await scrape(metricsUrl)]) {
        const health = { route: '/health', method: 'GET', status_class: '2xx' };
        expect(sample(text, 'tessera_http_requests_total', health)).toBe(REQUESTS);
        expect(sample(text, 'tessera_http_request_duration_seconds_count', health)).toBe(REQUESTS);
        // A gauge that names the build is not summed over the workers.
        expect(sample(text, 'tessera_build_info')).toBe(1);
      }
      // The API port does not serve them.
      expect((await fetch(`${apiUrl}/metrics`)).status).toBe(404);
    });

    it('a worker killed with SIGKILL is replaced; the scrape then counts what the live workers answered', async () => {
      const entries = () =>
        log.lines.map((line) => JSON.parse(line) as { pid: number; msg: string; req?: { url: string } });
      const listening = () => entries().filter((entry) => entry.msg.startsWith('Server listening'));
      const [victim, survivor] = listening().map((entry) => entry.pid);
      if (victim === undefined || survivor === undefined) throw new Error('two workers expected');
      process.kill(victim, 'SIGKILL');
      await log.until(() => listening().length === 3);

      const text = await scrape(metricsUrl);
      const answeredBySurvivor = entries().filter(
        (entry) => entry.pid === survivor && entry.msg === 'request completed' && entry.req?.url === '/health',
      ).length;
      expect(answeredBySurvivor).toBeGreaterThan(0);
      // The killed worker's counts went with it; its replacement starts from zero.
      const health = { route: '/health', method: 'GET', status_class: '2xx' };
      expect(sample(text, 'tessera_http_requests_total', health)).toBe(answeredBySurvivor);
      expect(sample(text, 'tessera_build_info')).toBe(1);
    });

    it('SIGTERM stops the workers and the metrics listener with them', async () => {
      const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
      await expect(fetch(metricsUrl)).rejects.toThrow();
    });
  },
);

/** GET on a connection of its own (no keep-alive agent), so that the cluster hands each request to the next worker. */
function healthOnNewConnection(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      response.resume();
      response.on('end', () => {
        if (response.statusCode !== 200) reject(new Error(`/health answered ${response.statusCode}`));
        else resolve();
      });
    }).on('error', reject);
  });
}

/** The server's JSON log lines as they arrive, and a wait for a condition on them. */
class ServerLog {
  readonly lines: string[] = [];
  private readonly arrived = new EventEmitter();

  constructor(child: ChildProcess) {
    if (!child.stdout) throw new Error('no stdout');
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      this.lines.push(line);
      this.arrived.emit('line');
    });
  }

  until(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.arrived.off('line', check);
        resolve();
      };
      this.arrived.on('line', check);
      check();
    });
  }
}

/** Resolves once both workers have logged that they listen, with the log (kept growing). */
async function bothListening(child: ChildProcess): Promise<ServerLog> {
  const log = new ServerLog(child);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`tessera serve exited with ${code}`))),
  );
  const listening = () => log.lines.filter((line) => line.includes('Server listening')).length === 2;
  await Promise.race([log.until(listening), exited]);
  return log;
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
