import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '@tessera/storage-kysely';
import pg from 'pg';
import type { TestStorage } from '../../packages/storage-kysely/src/test-support/index.js';

/**
 * A PostgreSQL server of a test's own, from the Debian binaries (/usr/lib/postgresql/<v>/bin),
 * in a temp directory on a free port: for fault tests that stop, restart or kill the database,
 * which must never happen to the shared test server other test files use.
 *
 * PostgreSQL refuses to run as root; as root, its programs run as the `postgres` user, which
 * then owns the directory.
 */
export class PrivatePostgres {
  private constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly bin: string,
    private readonly runAs: { uid: number; gid: number } | undefined,
  ) {}

  /** Creates the cluster and starts it; `dispose()` stops it and deletes it. */
  static async start(): Promise<PrivatePostgres> {
    const bin = postgresBinDir();
    const runAs = process.getuid?.() === 0 ? postgresUser() : undefined;
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
    if (runAs) chownSync(dataDir, runAs.uid, runAs.gid);
    const server = new PrivatePostgres(dataDir, await freePort(), bin, runAs);
    server.run('initdb', ['-D', join(dataDir, 'cluster'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    server.startServer();
    return server;
  }

  /** A URL of database `name` (create it first with createDatabase). */
  url(name = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${name}`;
  }

  async createDatabase(name: string): Promise<string> {
    await this.admin(`create database ${name}`);
    return this.url(name);
  }

  /** Runs one statement on a connection of its own and returns its rows. */
  async admin<R extends pg.QueryResultRow = pg.QueryResultRow>(
    statement: string,
    database = 'postgres',
    values: unknown[] = [],
  ): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url(database), connectionTimeoutMillis: 5000 });
    client.on('error', () => {});
    await client.connect();
    try {
      return (await client.query<R>(statement, values)).rows;
    } finally {
      await client.end().catch(() => {});
    }
  }

  /**
   * pg_terminate_backend on the connections to `database` (but the one asking and `except`):
   * what a failover, an idle-connection reaper or an operator does to Tessera's pool. `only`
   * picks some: those waiting for a lock (inside a statement), or those inside a transaction
   * between two statements. Returns how many it ended.
   */
  async terminateConnections(
    database: string,
    options: { except?: readonly number[]; only?: 'waiting-for-lock' | 'in-transaction' } = {},
  ): Promise<number> {
    const which =
      options.only === 'waiting-for-lock'
        ? "and wait_event_type = 'Lock'"
        : options.only === 'in-transaction'
          ? "and state = 'idle in transaction'"
          : '';
    const rows = await this.admin<{ ended: boolean }>(
      `select pg_terminate_backend(pid) as ended from pg_stat_activity
       where datname = $1 and pid <> pg_backend_pid() and not (pid = any($2::int[])) ${which}`,
      'postgres',
      [database, options.except ?? []],
    );
    return rows.filter((row) => row.ended).length;
  }

  /** Stops the server: `fast` ends the sessions and shuts down cleanly, `immediate` as a crash would. */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    this.run('pg_ctl', ['-D', join(this.dataDir, 'cluster'), '-m', mode, '-w', 'stop']);
  }

  /** Starts it again on the same port, with its data. */
  restart(): void {
    this.startServer();
  }

  async dispose(): Promise<void> {
    try {
      this.stop('immediate');
    } catch {
      // Already stopped.
    }
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private startServer(): void {
    const options = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dataDir}`,
      '-c max_connections=200',
    ].join(' ');
    this.run('pg_ctl', [
      '-D',
      join(this.dataDir, 'cluster'),
      '-o',
      options,
      '-l',
      join(this.dataDir, 'log'),
      '-w',
      'start',
    ]);
  }

  private run(program: string, args: string[]): void {
    execFileSync(join(this.bin, program), args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: this.dataDir,
      ...(this.runAs ?? {}),
    });
  }
}

/** The newest PostgreSQL installed from Debian's packages. */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest || !existsSync(join(root, newest, 'bin', 'initdb'))) {
    throw new Error('No PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  }
  return join(root, newest, 'bin');
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** A port nothing listens on now (the kernel's choice for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Tessera's storage on database `name` of `server` (created and migrated), as the harness takes
 * it (`createHarness({ storage })`). Connection errors the pool reports are kept in
 * `connectionErrors`, for tests that check they were seen and survived.
 */
export async function openPrivatePostgresStorage(
  server: PrivatePostgres,
  name: string,
): Promise<TestStorage & { connectionErrors: Error[] }> {
  const databaseUrl = await server.createDatabase(name);
  const connectionErrors: Error[] = [];
  const storage = await openStorage({
    databaseUrl,
    dataDir: '',
    onConnectionError: (error) => connectionErrors.push(error),
  });
  await storage.migrate();
  return Object.assign(storage, {
    connectionErrors,
    location: { databaseUrl, searchPath: 'public' },
    dispose: () => storage.close(),
  });
}
