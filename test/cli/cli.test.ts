import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import type { UserActor } from '@tessera/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, withRuntime } from '../../packages/cli/src/cli-context.js';
import { main } from '../../packages/cli/src/main.js';
import { COMMANDS } from '../../packages/cli/src/registry.js';
import { encodeBase32, generateTotpSecret } from '../../packages/core/src/otp/index.js';
import { listMigrations } from '../../packages/storage-kysely/src/migrations/migration-list.js';

const postgresUrl = process.env.TESSERA_TEST_DATABASE_URL;
const REPO = join(import.meta.dirname, '../..');

/** A stream that keeps what is written: the log, or a terminal for the progress bar. */
class Collected extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
  columns = 80;
  cursorTo(): boolean {
    return true;
  }
  clearLine(): boolean {
    return true;
  }
  moveCursor(): boolean {
    return true;
  }
}

describe.each([{ kind: 'sqlite' as const }, ...(postgresUrl ? [{ kind: 'postgres' as const }] : [])])(
  'tessera CLI on $kind',
  ({ kind }) => {
    let dataDir: string;
    let env: Record<string, string>;
    const schemas: string[] = [];

    /** A PostgreSQL URL whose search_path is a new, empty schema (dropped after the file). */
    async function freshSchemaUrl(): Promise<string> {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`create schema ${schema}`);
      await client.end();
      schemas.push(schema);
      const url = new URL(postgresUrl ?? '');
      url.searchParams.set('options', `-c search_path=${schema}`);
      return url.toString();
    }

    async function freshEnv(): Promise<Record<string, string>> {
      return {
        TESSERA_DATA_DIR: await mkdtemp(join(tmpdir(), 'tessera-cli-')),
        TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
        TESSERA_LOG_LEVEL: 'warn',
        ...(kind === 'postgres' ? { TESSERA_DATABASE_URL: await freshSchemaUrl() } : {}),
      };
    }

    beforeAll(async () => {
      env = await freshEnv();
      dataDir = env.TESSERA_DATA_DIR ?? '';
    });
    afterAll(async () => {
      await rm(dataDir, { recursive: true, force: true });
      if (schemas.length === 0) return;
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      for (const schema of schemas) await client.query(`drop schema ${schema} cascade`);
      await client.end();
    });

    async function run(...args: string[]) {
      return runIn(env, {}, ...args);
    }

    async function runIn(runEnv: Record<string, string>, extra: Partial<CliIo>, ...args: string[]) {
      const out: string[] = [];
      const err: string[] = [];
      const log = new Collected();
      const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: runEnv, log, ...extra };
      const code = await main(args, io);
      return { code, out: out.join('\n'), err: err.join('\n'), log: log.text };
    }

    /** Runs with --json: the exit code and the one document stdout holds. */
    async function json(...args: string[]) {
      const result = await run(...args, '--json');
      return { ...result, json: JSON.parse(result.out) };
    }

    const quietIo = (): CliIo => ({ out: () => undefined, err: () => undefined, env, log: new Collected() });
    const onRuntime = <T>(fn: Parameters<typeof withRuntime<T>>[2]) =>
      withRuntime(quietIo(), { mayCreate: false, sends: false }, fn);

    describe('a database that is not there yet', () => {
      it('is refused without --create (exit 3), naming what it looked at, and nothing is written', async () => {
        const fresh = await freshEnv();
        const refused = await runIn(fresh, {}, 'users', 'list');
        expect(refused.code).toBe(3);
        expect(refused.err).toMatch(/no database yet/);
        expect(refused.err).toContain('TESSERA_DATABASE_URL');
        expect(refused.err).toContain('--create');
        expect(refused.out).toBe('');
        expect(existsSync(join(fresh.TESSERA_DATA_DIR ?? '', 'tessera.db'))).toBe(false);
        expect(existsSync(join(fresh.TESSERA_DATA_DIR ?? '', 'secret.key'))).toBe(false);

        const status = await runIn(fresh, {}, 'status', '--json');
        expect(status.code).toBe(0);
        expect(JSON.parse(status.out)).toMatchObject({ kind, exists: false, schemaVersion: null, upToDate: false });

        const created = await runIn(fresh, {}, 'users', 'list', '--create');
        expect(created.code, created.err).toBe(0);
        expect(created.err).toMatch(
          kind === 'sqlite' ? /creating a new SQLite database at/ : /creating Tessera's tables/,
        );
        const after = JSON.parse((await runIn(fresh, {}, 'status', '--json')).out);
        const names = Object.keys(listMigrations(kind));
        expect(after).toMatchObject({
          exists: true,
          schemaVersion: names.at(-1),
          appliedMigrations: names.length,
          pendingMigrations: [],
          upToDate: true,
        });
        expect(after.location).not.toMatch(/:[^/@:]+@/);
        await rm(fresh.TESSERA_DATA_DIR ?? '', { recursive: true, force: true });
      });

      it('migrate creates it, saying so on stderr, then reports it up to date', async () => {
        const first = await run('migrate');
        expect(first.code).toBe(0);
        expect(first.err).toMatch(/creating/);
        expect(first.out).toMatch(/applied /);
        const second = await run('migrate');
        expect(second).toMatchObject({ out: 'database is up to date', err: '' });
        expect((await json('migrate')).json).toEqual({ applied: [] });
        const status = await run('status');
        expect(status.out).toMatch(new RegExp(`^database: +${kind} `));
        expect(status.out).toMatch(/pending: +none/);
      });
    });

    describe('help and usage', () => {
      it('tessera help lists every command, with the exit codes', async () => {
        const help = await run('help');
        expect(help.code).toBe(0);
        for (const command of COMMANDS) expect(help.out).toContain(`  ${command.name}  `.replace(/ {2}$/, ''));
        expect(help.out).toMatch(/Exit codes:\n {2}0 {2}done/);
        expect((await run('--help')).out).toBe(help.out);
      });

      it('prints one command its own usage with --help, and as tessera help <command>', async () => {
        const usage = await run('users', 'create', '--help');
        expect(usage.code).toBe(0);
        expect(usage.out).toMatch(
          /^Usage: tessera users create --username U \(--password P \| --password-stdin \| --no-password\)/,
        );
        expect(usage.out).toContain('--no-password');
        expect(usage.out).toContain('--json');
        expect(usage.out).not.toContain('tokens create');
        expect((await run('help', 'users', 'create')).out).toBe(usage.out);
        for (const command of COMMANDS) {
          const own = await run(...command.name.split(' '), '--help');
          expect(own.out, command.name).toMatch(new RegExp(`^Usage: tessera ${command.name}`));
        }
      });

      it('says when a command does not exist, and what there is instead', async () => {
        expect(await run('frobnicate')).toMatchObject({
          code: 2,
          out: '',
          err: "tessera: unknown command 'frobnicate'. Run 'tessera help' for the list.",
        });
        const sub = await run('users', 'frob');
        expect(sub.code).toBe(2);
        expect(sub.err).toMatch(/'users frob' is not a command; there are: users create, users show/);
        expect((await run('users')).err).toMatch(/'users' needs a subcommand/);
        expect((await run()).code).toBe(2);
        expect((await run('help', 'nothing')).code).toBe(2);
      });

      it('refuses an unknown flag or a stray argument with exit 2, pointing at the command help', async () => {
        const bogus = await run('users', 'show', '--bogus');
        expect(bogus.code).toBe(2);
        expect(bogus.err).toMatch(/Unknown option '--bogus'/);
        expect(bogus.err).toContain("Run 'tessera users show --help'");
        expect((await run('users', 'show', 'ops')).err).toMatch(/unexpected argument 'ops'/);
      });
    });

    describe('accounts', () => {
      it('users create, users show, tokens create', async () => {
        const created = await json(
          'users',
          'create',
          '--username',
          'ops',
          '--password',
          'ops password',
          '--email',
          'ops@example.com',
          '--admin',
        );
        expect(created.code).toBe(0);
        expect(created.json).toMatchObject({ username: 'ops', role: 'admin', email: 'ops@example.com' });
        expect(created.out).not.toContain('ops password');

        const shown = await json('users', 'show', '--username', 'ops');
        expect(shown.json).toMatchObject({ account: { username: 'ops', role: 'admin' }, factors: [] });
        const human = await run('users', 'show', '--username', 'ops');
        expect(human.out).toMatch(/^username: +ops$/m);
        expect(human.out).toMatch(/^role: +admin$/m);
        expect(human.out).toMatch(/^lock: +-$/m);
        expect(human.out).toMatch(/no factors$/);

        const token = await run('tokens', 'create', '--username', 'ops');
        expect(token.code).toBe(0);
        expect(token.out).toMatch(/^tsa_[A-Za-z0-9_-]{43}$/);

        // --twilio: the account SID is AC and the account's id; the token is its auth token.
        const accountId = (shown.json as { account: { id: string } }).account.id;
        const twilio = await run('tokens', 'create', '--username', 'ops', '--twilio');
        expect(twilio.code, twilio.err).toBe(0);
        expect(twilio.out).toMatch(
          new RegExp(
            `^TWILIO_ACCOUNT_SID=AC${accountId.replaceAll('-', '')}\nTWILIO_AUTH_TOKEN=tsa_[A-Za-z0-9_-]{43}$`,
          ),
        );
        const twilioJson = await json('tokens', 'create', '--username', 'ops', '--twilio');
        expect(twilioJson.json).toMatchObject({
          twilio: {
            accountSid: `AC${accountId.replaceAll('-', '')}`,
            apiKeySid: expect.stringMatching(/^SK[0-9a-f]{32}$/),
          },
        });
      });

      it('users create --domain, and --owner with --kind for e-mail accounts and team users', async () => {
        const pw = ['--password', 'a long password'];
        const bob = await json('users', 'create', '--username', 'bob', ...pw, '--domain', 'Example.com');
        expect(bob.code, bob.err).toBe(0);
        expect(bob.json).toMatchObject({ username: 'bob', domain: 'example.com', owner: null, subAccountType: null });
        const mail = await json(
          'users',
          'create',
          '--username',
          'info@example.com',
          ...pw,
          '--owner',
          'bob',
          '--kind',
          'email',
        );
        expect(mail.code, mail.err).toBe(0);
        expect(mail.json).toMatchObject({ username: 'info@example.com', owner: 'bob', subAccountType: 'email' });
        const team = await json('users', 'create', '--username', 'dev@bob', ...pw, '--owner', 'bob', '--kind', 'team');
        expect(team.json).toMatchObject({ owner: 'bob', subAccountType: 'team' });

        expect(
          await run('users', 'create', '--username', 'x@bob', ...pw, '--owner', 'bob', '--kind', 'mailbox'),
        ).toMatchObject({
          code: 2,
          err: expect.stringContaining('--kind must be one of email, team'),
        });
        expect(
          await run('users', 'create', '--username', 'y@bob', ...pw, '--owner', 'ghost', '--kind', 'team'),
        ).toMatchObject({
          code: 1,
          err: expect.stringContaining('The owner “ghost” does not exist.'),
        });
        expect(
          await run(
            'users',
            'create',
            '--username',
            'z@example.com',
            ...pw,
            '--owner',
            'info@example.com',
            '--kind',
            'email',
          ),
        ).toMatchObject({ code: 1, err: expect.stringContaining('do not nest') });
      });

      it('users create without a password and with an external id; show, update, disable, enable, list, delete', async () => {
        const created = await json(
          'users',
          'create',
          '--username',
          'platform-7',
          '--no-password',
          '--external-id',
          'p-7',
          '--email',
          'p7@example.com',
        );
        expect(created.code, created.err).toBe(0);
        expect(created.json).toMatchObject({ username: 'platform-7', externalId: 'p-7', hasPassword: false });
        expect(
          (await run('users', 'create', '--username', 'both', '--password', 'long enough', '--no-password')).code,
        ).toBe(2);
        const taken = await run('users', 'create', '--username', 'platform-8', '--no-password', '--external-id', 'p-7');
        expect(taken).toMatchObject({ code: 1, err: expect.stringContaining('externalId') });

        const byExternalId = await json('users', 'show', '--external-id', 'p-7');
        expect(byExternalId.json.account).toMatchObject({ username: 'platform-7', externalId: 'p-7', role: 'user' });
        expect((await run('users', 'show', '--external-id', 'p-7', '--username', 'x')).code).toBe(2);

        const updated = await json(
          'users',
          'update',
          '--external-id',
          'p-7',
          '--phone',
          '+359 888 765 432',
          '--email',
          '',
        );
        expect(updated.code, updated.err).toBe(0);
        expect(updated.json).toMatchObject({ phone: '+359888765432', email: null });
        expect((await run('users', 'update', '--external-id', 'p-7')).code).toBe(2);
        expect((await run('users', 'update', '--external-id', 'p-7', '--phone', '12')).code).toBe(1);

        // A new username and role; the account is found by its platform id under either name.
        const renamed = await json(
          'users',
          'update',
          '--external-id',
          'p-7',
          '--new-username',
          'platform-7b',
          '--role',
          'admin',
        );
        expect(renamed.code, renamed.err).toBe(0);
        expect(renamed.json).toMatchObject({ username: 'platform-7b', role: 'admin', externalId: 'p-7' });
        expect((await run('users', 'update', '--external-id', 'p-7', '--role', 'root')).code).toBe(2);
        const back = await json(
          'users',
          'update',
          '--username',
          'platform-7b',
          '--new-username',
          'platform-7',
          '--role',
          'user',
        );
        expect(back.json).toMatchObject({ username: 'platform-7', role: 'user' });

        // A first password for an account made without one: it signs in with it afterwards.
        const set = await json('users', 'set-password', '--external-id', 'p-7', '--password', 'cli set passphrase');
        expect(set.code, set.err).toBe(0);
        expect(set.json).toEqual({ username: 'platform-7', passwordSet: true });
        expect((await json('users', 'show', '--external-id', 'p-7')).json.account).toMatchObject({ hasPassword: true });
        expect((await run('users', 'set-password', '--external-id', 'p-7')).code).toBe(2);
        expect((await run('users', 'set-password', '--external-id', 'p-7', '--password', 'short')).code).toBe(1);

        expect((await json('users', 'disable', '--username', 'platform-7')).json).toMatchObject({ disabled: true });
        const listed = await run('users', 'list');
        expect(listed.code).toBe(0);
        expect(listed.out.split('\n')[0]).toMatch(/^USERNAME\s+EXTERNAL ID\s+ROLE\s+2FA\s+LOCK\s+STATE$/);
        const line = listed.out.split('\n').find((l) => l.startsWith('platform-7'));
        expect(line).toMatch(/^platform-7\s+p-7\s+user\s+-\s+-\s+disabled$/);
        expect(listed.out.split('\n').find((l) => l.startsWith('ops '))).toMatch(/^ops\s+-\s+admin\s/);
        expect((await json('users', 'enable', '--external-id', 'p-7')).json).toMatchObject({ disabled: false });
        expect((await run('users', 'list', '--limit', '0')).code).toBe(2);

        const deleted = await json('users', 'delete', '--external-id', 'p-7');
        expect(deleted.code, deleted.err).toBe(0);
        expect(deleted.json).toMatchObject({ deleted: 'platform-7', pseudonym: expect.stringMatching(/^deleted-/) });
        expect((await run('users', 'list')).out).not.toContain('platform-7');
        expect(await run('users', 'disable', '--external-id', 'p-7')).toMatchObject({
          code: 1,
          err: expect.stringContaining('No such user'),
        });
      });

      it('users list --search finds by username, e-mail or external id, with the total of the matches', async () => {
        await run('users', 'create', '--username', 'searchable-1', '--no-password', '--email', 'Needle@Hay.example');
        await run('users', 'create', '--username', 'searchable-2', '--no-password', '--external-id', 'NEEDLE-2');
        await run('users', 'create', '--username', 'other', '--no-password');
        const found = await json('users', 'list', '--search', 'needle');
        expect(found.json.items.map((user: { username: string }) => user.username)).toEqual([
          'searchable-1',
          'searchable-2',
        ]);
        expect(found.json.total).toBe(2);
        const text = await run('users', 'list', '--search', 'needle', '--limit', '1');
        expect(text.out).toMatch(/\n1 of 2 \(offset 0\)$/);
      });

      it('users reset-2fa removes the factors; users unlock clears a lock, both recorded', async () => {
        await run(
          'users',
          'create',
          '--username',
          'dave',
          '--password',
          'dave password',
          '--email',
          'dave@example.com',
        );
        const until = new Date(Date.now() + 3_600_000);
        await onRuntime(async ({ core, storage }) => {
          const dave = await core.accounts.getByUsername('dave');
          const actor: UserActor = {
            kind: 'user',
            userId: dave.id,
            role: dave.role,
            authentication: { method: 'password' },
            clientIp: null,
          };
          // Backup codes are the one method that needs no device to enroll.
          await core.enable.start(actor, { method: 'backup_codes' });
          const lockout = {
            userId: dave.id,
            failedCount: 5,
            lockLevel: 1,
            lockedUntil: until,
            totalFailures: 5,
            version: 1,
          };
          expect(await storage.lockouts.compareAndSet(0, lockout)).toBe(true);
        });
        const listed = (await run('users', 'list', '--search', 'dave')).out
          .split('\n')
          .find((l) => l.startsWith('dave'));
        expect(listed).toContain(`locked until ${until.toISOString()}`);
        expect((await json('users', 'show', '--username', 'dave')).json.account.secondFactorLock).toMatchObject({
          locked: true,
        });

        const unlocked = await json('users', 'unlock', '--username', 'dave');
        expect(unlocked.code, unlocked.err).toBe(0);
        expect(unlocked.json.secondFactorLock).toEqual({ locked: false, lockedUntil: null, suspended: false });
        const entries = (await json('history', '--username', 'dave', '--method', 'second_factor')).json.items;
        expect(entries).toEqual([expect.objectContaining({ action: 'unlock', actor: 'system' })]);

        const reset = await json('users', 'reset-2fa', '--username', 'dave');
        expect(reset.code).toBe(0);
        expect(reset.json).toEqual({ username: 'dave', removed: ['backup_codes'] });
        expect((await json('users', 'show', '--username', 'dave')).json.factors).toEqual([]);
      });
    });

    describe('API tokens', () => {
      it('tokens list shows them without the token; tokens revoke ends one at once', async () => {
        await run('users', 'create', '--username', 'robot', '--no-password');
        const made = await json('tokens', 'create', '--username', 'robot', '--name', 'deploy', '--read-only');
        expect(made.json).toMatchObject({ token: expect.stringMatching(/^tsa_/), name: 'deploy', scope: 'read' });
        const listed = await json('tokens', 'list', '--username', 'robot');
        expect(listed.json).toEqual([expect.objectContaining({ id: made.json.id, name: 'deploy', revokedAt: null })]);
        expect(listed.out).not.toContain(made.json.token);
        const table = await run('tokens', 'list', '--username', 'robot');
        expect(table.out).toMatch(new RegExp(`^${made.json.id}\\s+deploy\\s+read\\s+\\S+\\s+-\\s+active$`, 'm'));

        expect((await run('tokens', 'revoke', '--username', 'robot', '--id', made.json.id)).code).toBe(0);
        expect((await json('tokens', 'list', '--username', 'robot')).json[0].revokedAt).not.toBeNull();
        await onRuntime(async ({ core }) => {
          await expect(core.apiTokens.authenticate(made.json.token, null)).rejects.toMatchObject({
            code: 'TOKEN_INVALID',
          });
        });
        // Someone else's token, or one that does not exist, is not found.
        const opsToken = (await json('tokens', 'list', '--username', 'ops')).json[0].id;
        expect(await run('tokens', 'revoke', '--username', 'robot', '--id', opsToken)).toMatchObject({
          code: 1,
          err: expect.stringMatching(/token/i),
        });
        expect((await run('tokens', 'revoke', '--username', 'robot')).code).toBe(2);
      });
    });

    describe('history', () => {
      it('filters by account, method and time, newest first', async () => {
        const all = await json('history', '--limit', '100');
        expect(all.code).toBe(0);
        expect(all.json.total).toBeGreaterThan(5);
        const times = all.json.items.map((entry: { createdAt: string }) => entry.createdAt);
        expect([...times].sort().reverse()).toEqual(times);

        const bob = await json('history', '--username', 'bob', '--method', 'account');
        expect(bob.json.items).toEqual([expect.objectContaining({ method: 'account', action: 'create' })]);
        expect((await json('history', '--since', '1h', '--method', 'account')).json.total).toBeGreaterThan(1);
        expect((await json('history', '--until', '2020-01-01')).json.total).toBe(0);
        expect((await json('history', '--since', '2099-01-01T00:00:00Z')).json.total).toBe(0);

        const text = await run('history', '--username', 'bob', '--method', 'account');
        expect(text.out.split('\n')[0]).toMatch(/^TIME\s+ACCOUNT\s+METHOD\s+ACTION\s+2FA\s+BY\s+FROM$/);
        expect(text.out.split('\n')[1]).toMatch(/^\S+\s+bob\s+account\s+create\s+on\s+system\s+-$/);

        expect((await run('history', '--since', 'yesterday')).code).toBe(2);
        expect((await run('history', '--method', 'TOTP!')).code).toBe(2);
        expect((await run('history', '--username', 'ghost')).code).toBe(1);
      });
    });

    describe('import and export', () => {
      it('users import: accounts with their keys, a summary of what was skipped and why; twice changes nothing', async () => {
        const secret = encodeBase32(generateTotpSecret());
        const csv = [
          'username,email,phone,external_id,totp_secret',
          `migrated-1,m1@example.com,+359888000001,ext-m1,${secret}`,
          'migrated-2,,,,',
          'migrated-3,not-an-address,,,',
          'migrated-4,,,,ABCDEFGH',
          ',nobody@example.com,,,',
          'ops,,,,',
        ].join('\n');
        const file = join(dataDir, 'users.csv');
        await writeFile(file, csv);
        const countAccounts = async () => (await json('users', 'list', '--limit', '1000')).json.total as number;
        const before = await countAccounts();

        const terminal = new Collected(true);
        const first = await runIn(
          env,
          { progress: terminal as unknown as NodeJS.WriteStream },
          'users',
          'import',
          '--file',
          file,
        );
        expect(first.code).toBe(1);
        expect(first.out).toMatch(/^imported 2, already there 1, skipped 3$/m);
        expect(first.out).toMatch(/line 4 \(migrated-3\): VALIDATION_FAILED: .*email/);
        expect(first.out).toMatch(/line 5 \(migrated-4\): VALIDATION_FAILED: .*80 bits/);
        expect(first.out).toMatch(/line 6 \(no username\): no username/);
        expect(terminal.text).toContain('importing [');
        expect(await countAccounts()).toBe(before + 2);
        // A refused key leaves no account behind.
        expect((await run('users', 'show', '--username', 'migrated-4')).code).toBe(1);

        const m1 = await json('users', 'show', '--username', 'migrated-1');
        expect(m1.json.account).toMatchObject({ externalId: 'ext-m1', phone: '+359888000001', hasPassword: false });
        expect(m1.json.factors).toEqual([expect.objectContaining({ method: 'totp', status: 'active' })]);
        await onRuntime(async ({ core }) => {
          const user = await core.accounts.getByUsername('migrated-1');
          expect((await core.admin.exportTotp({ kind: 'system' }, user.id)).secret).toBe(secret);
        });
        const recorded = await json('history', '--username', 'migrated-1', '--asc');
        // The account and its key are written in one instant: their order within it is not defined.
        const what = recorded.json.items.map(
          (entry: { method: string; action: string }) => `${entry.method} ${entry.action}`,
        );
        expect(what.sort()).toEqual(['account create', 'totp export', 'totp import']);

        const historyBefore = (await json('history')).json.total;
        const second = await json('users', 'import', '--file', file);
        expect(second.code).toBe(1);
        expect(second.json).toMatchObject({ imported: 0, existing: 3, skipped: 3 });
        expect(await countAccounts()).toBe(before + 2);
        // Only the import itself is recorded again.
        const historyAfter = await json('history', '--limit', '1');
        expect(historyAfter.json.total).toBe(historyBefore + 1);
        expect(historyAfter.json.items[0]).toMatchObject({
          userId: null,
          method: 'account',
          action: 'import',
          details: { file: 'users.csv', imported: 0, existing: 3, skipped: 3 },
        });

        await writeFile(file, 'username,password\nx,y\n');
        expect(await run('users', 'import', '--file', file)).toMatchObject({
          code: 2,
          err: expect.stringContaining('unknown column(s) password'),
        });
        expect(await run('users', 'import', '--file', join(dataDir, 'missing.csv'))).toMatchObject({
          code: 1,
          err: expect.stringContaining('cannot read'),
        });
      });

      it('users export: every account as CSV, no secret in it, recorded in the history', async () => {
        const exported = await run('users', 'export');
        expect(exported.code).toBe(0);
        const lines = exported.out.split('\n');
        expect(lines[0]).toBe('username,email,phone,external_id,role,methods,disabled,created_at');
        expect(lines.find((l) => l.startsWith('migrated-1,'))).toMatch(
          /^migrated-1,m1@example.com,\+359888000001,ext-m1,user,totp,false,/,
        );
        expect(exported.out).not.toMatch(/argon2|sealed/);
        const total = (await json('users', 'list')).json.total;
        expect(lines).toHaveLength(total + 1);
        const entry = (await json('history', '--limit', '1')).json.items[0];
        expect(entry).toMatchObject({
          userId: null,
          method: 'account',
          action: 'export',
          details: { accounts: total },
        });

        const file = join(dataDir, 'export.json');
        const toFile = await json('users', 'export', '--file', file);
        expect(toFile.json).toEqual({ exported: total, file });
        expect(JSON.parse(await readFile(file, 'utf8'))).toHaveLength(total);
      });
    });

    describe('settings', () => {
      it('issuer and policy: show and set, with bad values refused', async () => {
        expect((await run('issuer', 'show')).out).toBe('Tessera');
        expect((await run('issuer', 'set', '--issuer', 'Acme Hosting')).out).toBe('Acme Hosting');
        expect((await json('issuer', 'show')).json).toEqual({ issuer: 'Acme Hosting' });
        expect((await run('issuer', 'set', '--issuer', '<script>')).code).toBe(1);
        expect((await run('issuer', 'show')).out).toBe('Acme Hosting');

        const set = await json('policy', 'set', '--required', 'true', '--grace-days', '7', '--forbid', 'sms');
        expect(set.code).toBe(0);
        expect(set.json).toMatchObject({ required: true, gracePeriodDays: 7, methods: { sms: false, totp: true } });
        const shown = await run('policy', 'show');
        expect(shown.out).toMatch(/^required: +true$/m);
        expect(shown.out).toMatch(/sms forbidden/);
        expect((await run('policy', 'set', '--required', 'maybe')).code).toBe(2);
        expect((await run('policy', 'set', '--forbid', 'carrier-pigeon')).code).toBe(2);
        expect((await run('policy', 'set')).code).toBe(2);
        await run('policy', 'set', '--required', 'false', '--allow', 'sms');
      });

      it('keys rotate prints a new key id each time', async () => {
        const first = await run('keys', 'rotate');
        const second = await json('keys', 'rotate');
        expect(first.code).toBe(0);
        expect(first.out).toMatch(/^[0-9a-f-]{36}$/);
        expect(second.json.kid).not.toBe(first.out);
      });
    });

    describe('webhooks', () => {
      it('create prints the secret once; list, rotate-secret and deliveries; bad input refused', async () => {
        const created = await run(
          'webhooks',
          'create',
          '--url',
          'https://platform.example/cli',
          '--events',
          'admin.reset',
        );
        expect(created.code).toBe(0);
        expect(created.out).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
        const listed = await json('webhooks', 'list');
        const endpoint = (listed.json as { id: string; url: string; events: string[] }[]).find(
          (e) => e.url === 'https://platform.example/cli',
        );
        expect(endpoint?.events).toEqual(['admin.reset']);
        expect((await run('webhooks', 'list')).out).not.toContain(created.out);
        const rotated = await run('webhooks', 'rotate-secret', '--id', endpoint?.id ?? '');
        expect(rotated.out).toMatch(/^whsec_/);
        expect(rotated.out).not.toBe(created.out);
        expect((await json('webhooks', 'deliveries', '--id', endpoint?.id ?? '')).json).toMatchObject({ total: 0 });
        expect((await run('webhooks', 'create', '--url', 'ftp://platform.example')).code).toBe(1);
        expect((await run('webhooks', 'create', '--url', 'https://x.example', '--events', 'nope')).code).toBe(1);
        expect((await run('webhooks', 'create')).code).toBe(2);
        expect((await run('webhooks', 'delete', '--id', endpoint?.id ?? '')).code).toBe(0);
        expect((await run('webhooks', 'delete', '--id', endpoint?.id ?? '')).code).toBe(1);
      });
    });

    describe('output and exit codes', () => {
      /**
       * One run of every command with --json (serve aside: it runs until stopped). A command
       * added to the registry without a line here fails the test.
       */
      const SAMPLES: Record<string, string[]> = {
        migrate: [],
        status: [],
        'users create': ['--username', 'sample', '--no-password'],
        'users show': ['--username', 'sample'],
        'users list': [],
        'users update': ['--username', 'sample', '--phone', '+14155550100'],
        'users set-password': ['--username', 'sample', '--password', 'sample passphrase'],
        'users disable': ['--username', 'sample'],
        'users enable': ['--username', 'sample'],
        'webhooks create': ['--url', 'http://127.0.0.1:9/hooks', '--events', 'user.unlocked,admin.reset'],
        'webhooks list': [],
        'users unlock': ['--username', 'sample'],
        'users reset-2fa': ['--username', 'sample'],
        'users import': ['--file', 'SAMPLE_CSV'],
        'users export': [],
        'tokens create': ['--username', 'sample', '--twilio'],
        'tokens list': ['--username', 'sample'],
        'tokens revoke': ['--username', 'sample', '--id', 'SAMPLE_TOKEN'],
        history: ['--username', 'sample'],
        'audit list': ['--limit', '5'],
        'audit verify': [],
        'audit checkpoint': [],
        'issuer show': [],
        'issuer set': ['--issuer', 'Acme Hosting'],
        'policy show': [],
        'policy set': ['--grace-days', '7'],
        'keys rotate': [],
        'secret status': [],
        'secret rotate': [],
        'webhooks rotate-secret': ['--id', 'SAMPLE_WEBHOOK'],
        'webhooks deliveries': ['--id', 'SAMPLE_WEBHOOK'],
        'webhooks redeliver': ['--id', 'SAMPLE_WEBHOOK', '--delivery', 'SAMPLE_DELIVERY'],
        'webhooks delete': ['--id', 'SAMPLE_WEBHOOK'],
        backup: ['--out', 'SAMPLE_BACKUP'],
        restore: ['--from', 'SAMPLE_BACKUP', '--data-dir', 'SAMPLE_RESTORE_DIR'],
        'users delete': ['--username', 'sample'],
      };
      /** Backups are of the SQLite file: on PostgreSQL both refuse, pointing to pg_dump. */
      const refusedOnPostgres = new Set(['backup', 'restore']);

      it('--json prints exactly one JSON document on stdout, for every command', async () => {
        const sampleCsv = join(dataDir, 'sample.csv');
        await writeFile(sampleCsv, 'username\nsample-imported\n');
        let tokenId = '';
        let webhookId = '';
        let deliveryId = '';
        const names = COMMANDS.map((command) => command.name).filter((name) => name !== 'serve');
        expect(Object.keys(SAMPLES).sort()).toEqual([...names].sort());
        for (const [name, args] of Object.entries(SAMPLES)) {
          const samples: Record<string, string> = {
            SAMPLE_CSV: sampleCsv,
            SAMPLE_TOKEN: tokenId,
            SAMPLE_WEBHOOK: webhookId,
            SAMPLE_DELIVERY: deliveryId,
            SAMPLE_BACKUP: join(dataDir, 'sample-backup.db'),
            SAMPLE_RESTORE_DIR: join(dataDir, 'sample-restored'),
          };
          const filled = args.map((arg) => samples[arg] ?? arg);
          const result = await run(...name.split(' '), ...filled, '--json');
          const expected = kind === 'postgres' && refusedOnPostgres.has(name) ? 1 : 0;
          expect(result.code, `${name}: ${result.err}`).toBe(expected);
          expect(() => JSON.parse(result.out), name).not.toThrow();
          if (name === 'tokens create') tokenId = JSON.parse(result.out).id;
          if (name === 'webhooks create') webhookId = JSON.parse(result.out).endpoint.id;
          if (name === 'webhooks deliveries') deliveryId = JSON.parse(result.out).items[0]?.id ?? '';
        }
      });

      it('a refusal with --json is a JSON error document as well, with exit 1', async () => {
        const missing = await run('users', 'show', '--username', 'ghost', '--json');
        expect(missing.code).toBe(1);
        expect(JSON.parse(missing.out)).toEqual({ error: { code: 'USER_NOT_FOUND', message: expect.any(String) } });
        expect(missing.err).toContain('No such user');
        const usage = await run('users', 'show', '--json');
        expect(usage.code).toBe(2);
        expect(JSON.parse(usage.out)).toMatchObject({ error: { code: 'USAGE' } });
      });

      it('prints the console-provider warning only for commands that may send a message', async () => {
        const quiet = await run('users', 'list');
        expect(quiet.code).toBe(0);
        expect(quiet.log).toBe('');
        await run('users', 'create', '--username', 'noisy', '--no-password', '--email', 'noisy@example.com');
        const sends = await run('users', 'disable', '--username', 'noisy');
        expect(sends.code).toBe(0);
        expect(sends.log).toContain('TESSERA_EMAIL_PROVIDER');
        expect(sends.out).not.toContain('TESSERA_EMAIL_PROVIDER');
      });

      it('exit codes: 0 done, 1 refused, 2 usage, 3 configuration', async () => {
        expect((await run('users', 'list')).code).toBe(0);
        expect(await run('users', 'create', '--username', 'ops', '--password', 'ops password')).toMatchObject({
          code: 1,
          err: expect.stringContaining('already taken'),
        });
        expect(await run('users', 'create', '--username', 'x')).toMatchObject({
          code: 2,
          err: expect.stringContaining('--password (or --password-stdin) is required'),
        });
        expect(await runIn({ ...env, PORT: 'abc' }, {}, 'users', 'list')).toMatchObject({
          code: 3,
          err: expect.stringContaining('PORT'),
        });
        expect(
          await runIn({ ...env, TESSERA_SECRET_KEY: randomBytes(32).toString('base64') }, {}, 'users', 'list'),
        ).toMatchObject({ code: 3 });
      });
    });

    it('the installed bin runs (npx tessera), with the exit code of the command', async () => {
      const { stdout } = await promisify(execFile)('node', ['packages/cli/bin/tessera.js', '--help'], { cwd: REPO });
      expect(stdout).toContain('tokens create');
      const failed = await promisify(execFile)('node', ['packages/cli/bin/tessera.js', 'frobnicate'], {
        cwd: REPO,
      }).catch((error: { code: number; stdout: string; stderr: string }) => error);
      expect(failed).toMatchObject({
        code: 2,
        stdout: '',
        stderr: expect.stringContaining("unknown command 'frobnicate'"),
      });
    });

    describe('a password from standard input (--password-stdin)', () => {
      const fromStdin = (input: string, ...args: string[]) => runIn(env, { stdin: Readable.from([input]) }, ...args);
      const signsIn = (username: string, password: string) =>
        onRuntime(async ({ core }) => {
          await core.signIn.start({ kind: 'anonymous', clientIp: null }, username, password);
          return 'signed in';
        });

      it('creates an account and sets a new password with it, one line ending taken off', async () => {
        const created = await fromStdin(
          'stdin first password\n',
          'users',
          'create',
          '--username',
          'stdin-user',
          '--password-stdin',
          '--json',
        );
        expect(created.code, created.err).toBe(0);
        expect(JSON.parse(created.out)).toMatchObject({ username: 'stdin-user', hasPassword: true });
        await expect(signsIn('stdin-user', 'stdin first password')).resolves.toBe('signed in');

        const set = await fromStdin(
          'stdin second password\r\n',
          'users',
          'set-password',
          '--username',
          'stdin-user',
          '--password-stdin',
        );
        expect(set.code, set.err).toBe(0);
        expect(set.out).toBe('new password set for stdin-user');
        await expect(signsIn('stdin-user', 'stdin second password')).resolves.toBe('signed in');
        await expect(signsIn('stdin-user', 'stdin first password')).rejects.toMatchObject({
          code: 'INVALID_CREDENTIALS',
        });
      });

      it('refuses an empty input, or --password beside it, as a usage error (exit 2), changing nothing', async () => {
        const empty = await fromStdin('\n', 'users', 'set-password', '--username', 'stdin-user', '--password-stdin');
        expect(empty.code).toBe(2);
        expect(empty.err).toContain('standard input held no password');
        const both = await fromStdin(
          'stdin third password',
          'users',
          'set-password',
          '--username',
          'stdin-user',
          '--password',
          'stdin third password',
          '--password-stdin',
        );
        expect(both.code).toBe(2);
        expect(both.err).toContain('--password and --password-stdin exclude each other');
        const noPassword = await fromStdin(
          'x',
          'users',
          'create',
          '--username',
          'nobody-stdin',
          '--no-password',
          '--password-stdin',
        );
        expect(noPassword.code).toBe(2);
        await expect(signsIn('stdin-user', 'stdin second password')).resolves.toBe('signed in');
      });
    });
  },
);

describe('the README', () => {
  it('lists every exit code the CLI uses, and every command', async () => {
    const { EXIT_CODES } = await import('../../packages/cli/src/help.js');
    const readme = await readFile(join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('## Walk-through'));
    for (const [code] of EXIT_CODES) expect(section).toMatch(new RegExp(`^\\| ${code} +\\| \\S`, 'm'));
    expect(section.match(/^\| \d /gm)).toHaveLength(EXIT_CODES.length);
    for (const command of COMMANDS) expect(section, command.name).toContain(command.name);
    // The way to give a password that the process list does not show.
    expect(section).toMatch(/\| npx tessera users set-password .*--password-stdin/);
  });
});
