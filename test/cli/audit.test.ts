import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, withRuntime } from '../../packages/cli/src/cli-context.js';
import { main } from '../../packages/cli/src/main.js';

const postgresUrl = process.env.TESSERA_TEST_DATABASE_URL;

/** `tessera audit list | verify | checkpoint`, run as an operator would, on each database. */
describe.each([{ kind: 'sqlite' as const }, ...(postgresUrl ? [{ kind: 'postgres' as const }] : [])])(
  'tessera audit on $kind',
  ({ kind }) => {
    let env: Record<string, string>;
    let schema: string | undefined;

    beforeAll(async () => {
      env = {
        TESSERA_DATA_DIR: await mkdtemp(join(tmpdir(), 'tessera-audit-cli-')),
        TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
        TESSERA_LOG_LEVEL: 'warn',
      };
      if (kind === 'postgres') {
        schema = `t_${randomBytes(6).toString('hex')}`;
        const client = new pg.Client({ connectionString: postgresUrl });
        await client.connect();
        await client.query(`create schema ${schema}`);
        await client.end();
        const url = new URL(postgresUrl ?? '');
        url.searchParams.set('options', `-c search_path=${schema}`);
        env.TESSERA_DATABASE_URL = url.toString();
      }
      expect((await run('migrate')).code).toBe(0);
      for (const name of ['alice', 'bob', 'carol']) {
        expect((await run('users', 'create', '--username', name, '--password', 'a fine password')).code).toBe(0);
      }
      expect((await run('tokens', 'create', '--username', 'alice')).code).toBe(0);
      expect((await run('issuer', 'set', '--issuer', 'Acme')).code).toBe(0);
    });

    afterAll(async () => {
      await rm(env.TESSERA_DATA_DIR ?? '', { recursive: true, force: true });
      if (!schema) return;
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`drop schema ${schema} cascade`);
      await client.end();
    });

    async function run(...args: string[]) {
      const out: string[] = [];
      const err: string[] = [];
      const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), env };
      const code = await main(args, io);
      return { code, out: out.join('\n'), err: err.join('\n') };
    }

    /** Runs a statement on the database directly, as someone with access to it would. */
    async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
      const io: CliIo = { out: () => undefined, err: () => undefined, env };
      await withRuntime(io, { mayCreate: false, sends: false }, async ({ storage }) => {
        await statement.execute(storage.db);
      });
    }

    it('lists what the operator did, newest first, filtered by action', async () => {
      const listed = await run('audit', 'list', '--json');
      expect(listed.code).toBe(0);
      const page = JSON.parse(listed.out) as { items: { action: string; actorKind: string; seq: number }[] };
      expect(page.items.map((entry) => entry.action)).toEqual(
        expect.arrayContaining(['admin.account', 'api_token.created', 'settings.changed']),
      );
      expect(page.items.every((entry) => entry.actorKind === 'system')).toBe(true);
      const seqs = page.items.map((entry) => entry.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
      const tokens = JSON.parse((await run('audit', 'list', '--action', 'api_token.created', '--json')).out);
      expect(tokens.items).toHaveLength(1);
      const text = await run('audit', 'list', '--limit', '1');
      expect(text.out).toMatch(/^SEQ +TIME +ACTION/m);
      expect(text.out).toMatch(/next page: --before \d+/);
      expect((await run('audit', 'list', '--action', 'nonsense')).code).toBe(2);
      expect((await run('audit', 'list', '--since', 'yesterday')).code).toBe(2);
    });

    it('verifies against a kept checkpoint, then finds an edit (exit 1) and a cut-off end', async () => {
      const made = await run('audit', 'checkpoint', '--json');
      expect(made.code).toBe(0);
      const kept = JSON.parse(made.out) as { seq: number; publicKey: { kty: string } };
      expect(kept.publicKey.kty).toBe('OKP');
      const file = join(env.TESSERA_DATA_DIR ?? '', 'kept-checkpoint.json');
      await writeFile(file, made.out);

      const ok = await run('audit', 'verify', '--from', file);
      expect(ok).toMatchObject({ code: 0, out: expect.stringMatching(/^ok: entries 1 to \d+/) });
      expect((await run('audit', 'verify', '--from', String(kept.seq))).code).toBe(0);

      await tamper(sql`update audit_entries set client_ip = '203.0.113.66' where seq = 2`);
      const edited = await run('audit', 'verify', '--json');
      expect(edited.code).toBe(1);
      expect(JSON.parse(edited.out).problems).toEqual([
        { kind: 'entry_edited', seq: 2, message: 'entry 2 was changed' },
      ]);
      expect((await run('audit', 'verify')).out).toMatch(/^TAMPERED: .*\n {2}entry_edited at seq 2/);

      // The last entries, the head and the stored checkpoints rolled back: only the kept copy tells.
      await tamper(sql`delete from audit_entries where seq >= ${kept.seq - 1}`);
      await tamper(sql`delete from audit_checkpoints`);
      await tamper(
        sql`update audit_head set seq = ${kept.seq - 2}, hash = (select hash from audit_entries where seq = ${kept.seq - 2})`,
      );
      const cut = await run('audit', 'verify', '--from', file, '--json');
      expect(cut.code).toBe(1);
      expect(JSON.parse(cut.out).problems.map((p: { kind: string }) => p.kind)).toEqual([
        'entry_edited',
        'truncated_end',
      ]);
    });

    it('refuses a --from it cannot read (exit 2)', async () => {
      const file = join(env.TESSERA_DATA_DIR ?? '', 'not-a-checkpoint.json');
      await writeFile(file, '{"hello": "world"}');
      expect(await run('audit', 'verify', '--from', file)).toMatchObject({
        code: 2,
        err: expect.stringContaining('holds no checkpoint'),
      });
      expect((await run('audit', 'verify', '--from', join(env.TESSERA_DATA_DIR ?? '', 'missing.json'))).code).toBe(2);
    });
  },
);
