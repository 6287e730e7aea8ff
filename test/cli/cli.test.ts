import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { UserActor } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../packages/cli/src/cli-context.js';
import { main } from '../../packages/cli/src/main.js';

let dataDir: string;
let env: Record<string, string>;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-cli-'));
  env = {
    TESSERA_DATA_DIR: dataDir,
    TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
    TESSERA_LOG_LEVEL: 'warn',
  };
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

async function run(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env };
  const code = await main(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tessera CLI', () => {
  it('migrate reports what it applied, then that the database is up to date', async () => {
    const first = await run('migrate');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/applied /);
    const second = await run('migrate');
    expect(second.out).toBe('database is up to date');
  });

  it('users create, users show, tokens create', async () => {
    const created = await run(
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
    expect(JSON.parse(created.out)).toMatchObject({ username: 'ops', role: 'admin', email: 'ops@example.com' });
    expect(created.out).not.toContain('ops password');

    const shown = await run('users', 'show', '--username', 'ops');
    expect(JSON.parse(shown.out)).toMatchObject({ account: { username: 'ops' }, factors: [] });

    const token = await run('tokens', 'create', '--username', 'ops');
    expect(token.code).toBe(0);
    expect(token.out).toMatch(/^tsa_[A-Za-z0-9_-]{43}$/);
  });

  it('users create --domain, and --owner with --kind for e-mail accounts and team users', async () => {
    const pw = ['--password', 'a long password'];
    const bob = await run('users', 'create', '--username', 'bob', ...pw, '--domain', 'Example.com');
    expect(bob.code, bob.err).toBe(0);
    expect(JSON.parse(bob.out)).toMatchObject({
      username: 'bob',
      domain: 'example.com',
      owner: null,
      subAccountType: null,
    });
    const mail = await run(
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
    expect(JSON.parse(mail.out)).toMatchObject({ username: 'info@example.com', owner: 'bob', subAccountType: 'email' });
    const team = await run('users', 'create', '--username', 'dev@bob', ...pw, '--owner', 'bob', '--kind', 'team');
    expect(JSON.parse(team.out)).toMatchObject({ owner: 'bob', subAccountType: 'team' });

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

  it('issuer and policy: show and set, with bad values refused', async () => {
    expect((await run('issuer', 'show')).out).toBe('Tessera');
    expect((await run('issuer', 'set', '--issuer', 'Acme Hosting')).out).toBe('Acme Hosting');
    expect((await run('issuer', 'show')).out).toBe('Acme Hosting');
    const badIssuer = await run('issuer', 'set', '--issuer', '<script>');
    expect(badIssuer.code).toBe(1);
    expect((await run('issuer', 'show')).out).toBe('Acme Hosting');

    const set = await run('policy', 'set', '--required', 'true', '--grace-days', '7', '--forbid', 'sms');
    expect(set.code).toBe(0);
    expect(JSON.parse(set.out)).toMatchObject({
      required: true,
      gracePeriodDays: 7,
      methods: { sms: false, totp: true },
    });
    expect(JSON.parse((await run('policy', 'show')).out)).toMatchObject({ required: true, methods: { sms: false } });
    expect((await run('policy', 'set', '--required', 'maybe')).code).toBe(2);
    expect((await run('policy', 'set', '--forbid', 'carrier-pigeon')).code).toBe(2);
    expect((await run('policy', 'set')).code).toBe(2);
    await run('policy', 'set', '--required', 'false', '--allow', 'sms');
  });

  it('keys rotate prints a new key id each time', async () => {
    const first = await run('keys', 'rotate');
    const second = await run('keys', 'rotate');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.out).not.toBe(first.out);
  });

  it("users reset-2fa removes the user's factors", async () => {
    await run('users', 'create', '--username', 'dave', '--password', 'dave password', '--email', 'dave@example.com');
    // Backup codes are the one method that needs no device to enroll.
    const { withRuntime } = await import('../../packages/cli/src/cli-context.js');
    const io: CliIo = { out: () => undefined, err: () => undefined, env };
    await withRuntime(io, async ({ core }) => {
      const dave = await core.accounts.getByUsername('dave');
      const actor: UserActor = {
        kind: 'user',
        userId: dave.id,
        role: dave.role,
        authentication: { method: 'password' },
        clientIp: null,
      };
      await core.enable.start(actor, { method: 'backup_codes' });
    });
    const reset = await run('users', 'reset-2fa', '--username', 'dave');
    expect(reset.code).toBe(0);
    expect(JSON.parse(reset.out)).toEqual({ username: 'dave', removed: ['backup_codes'] });
    const shown = await run('users', 'show', '--username', 'dave');
    expect(JSON.parse(shown.out).factors).toEqual([]);
  });

  it('users create without a password and with an external id; update, disable, enable, list, delete', async () => {
    const created = await run(
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
    expect(JSON.parse(created.out)).toMatchObject({ username: 'platform-7', externalId: 'p-7', hasPassword: false });
    expect(
      (await run('users', 'create', '--username', 'both', '--password', 'long enough', '--no-password')).code,
    ).toBe(2);
    const taken = await run('users', 'create', '--username', 'platform-8', '--no-password', '--external-id', 'p-7');
    expect(taken).toMatchObject({ code: 1, err: expect.stringContaining('externalId') });

    const updated = await run('users', 'update', '--external-id', 'p-7', '--phone', '+359 888 765 432', '--email', '');
    expect(updated.code, updated.err).toBe(0);
    expect(JSON.parse(updated.out)).toMatchObject({ phone: '+359888765432', email: null });
    expect((await run('users', 'update', '--external-id', 'p-7')).code).toBe(2);
    expect((await run('users', 'update', '--external-id', 'p-7', '--phone', '12')).code).toBe(1);

    const disabled = await run('users', 'disable', '--username', 'platform-7');
    expect(JSON.parse(disabled.out)).toMatchObject({ disabled: true });
    const listed = await run('users', 'list');
    expect(listed.code).toBe(0);
    const line = listed.out.split('\n').find((l) => l.startsWith('platform-7'));
    expect(line).toMatch(/^platform-7\s+p-7\s+-\s+-\s+disabled$/);
    expect(listed.out.split('\n')[0]).toMatch(/^USERNAME\s+EXTERNAL ID\s+2FA\s+LOCK\s+STATE$/);
    expect(JSON.parse((await run('users', 'enable', '--external-id', 'p-7')).out)).toMatchObject({ disabled: false });
    expect((await run('users', 'list', '--limit', '0')).code).toBe(2);

    const deleted = await run('users', 'delete', '--external-id', 'p-7');
    expect(deleted.code, deleted.err).toBe(0);
    expect(JSON.parse(deleted.out)).toMatchObject({
      deleted: 'platform-7',
      pseudonym: expect.stringMatching(/^deleted-/),
    });
    expect((await run('users', 'list')).out).not.toContain('platform-7');
    expect(await run('users', 'disable', '--external-id', 'p-7')).toMatchObject({
      code: 1,
      err: expect.stringContaining('No such user'),
    });
  });

  it('users list shows a locked second factor and until when', async () => {
    await run('users', 'create', '--username', 'locky', '--password', 'locky password');
    const { withRuntime } = await import('../../packages/cli/src/cli-context.js');
    const io: CliIo = { out: () => undefined, err: () => undefined, env };
    const until = new Date(Date.now() + 3_600_000);
    await withRuntime(io, async ({ core, storage }) => {
      const user = await core.accounts.getByUsername('locky');
      const lockout = {
        userId: user.id,
        failedCount: 5,
        lockLevel: 1,
        lockedUntil: until,
        totalFailures: 5,
        version: 1,
      };
      expect(await storage.lockouts.compareAndSet(0, lockout)).toBe(true);
    });
    const line = (await run('users', 'list')).out.split('\n').find((l) => l.startsWith('locky'));
    expect(line).toContain(`locked until ${until.toISOString()}`);
  });

  it('says what is wrong, with exit codes 1 and 2', async () => {
    const duplicate = await run('users', 'create', '--username', 'ops', '--password', 'ops password');
    expect(duplicate).toMatchObject({ code: 1, err: expect.stringContaining('already taken') });
    expect(await run('users', 'create', '--username', 'x')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--password is required'),
    });
    expect((await run('frobnicate')).code).toBe(2);
    expect(await run('users', 'show', '--username', 'ghost')).toMatchObject({
      code: 1,
      err: expect.stringContaining('No such user'),
    });
    expect(await run('users', 'show', '--bogus')).toMatchObject({ code: 2 });
  });

  it('reports a bad configuration by variable name', async () => {
    const saved = env;
    env = { ...env, PORT: 'abc' };
    try {
      expect(await run('migrate')).toMatchObject({ code: 1, err: expect.stringContaining('PORT') });
    } finally {
      env = saved;
    }
  });

  it('the installed bin runs (npx tessera)', async () => {
    const { stdout } = await promisify(execFile)('node', ['packages/cli/bin/tessera.js', '--help'], {
      cwd: join(import.meta.dirname, '../..'),
    });
    expect(stdout).toContain('tokens create --username U');
  });
});
