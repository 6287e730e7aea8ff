import { type ColumnDataType, type Kysely, sql } from 'kysely';
import type { StorageDialect } from '../storage-dialect.js';

/*
 * The tamper-evident audit trail. `audit_entries` is the hash chain, one row per security event
 * in `seq` order (no foreign keys: an entry outlives the account it names, and rewriting it to
 * follow a deletion would break the chain). `audit_head` is its single head row: every append
 * locks it, reads the last seq and hash, and moves it, so appends from every process form one
 * sequence. `audit_checkpoints` holds the signed heads.
 */
// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: StorageDialect): Promise<void> {
  const bigint: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('audit_entries')
    .addColumn('seq', bigint, (c) => c.notNull().primaryKey())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_user_id', 'text')
    .addColumn('client_ip', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .execute();
  // The admin listing's filters, each walked newest first.
  await db.schema
    .createIndex('audit_entries_target_seq')
    .on('audit_entries')
    .columns(['target_user_id', 'seq'])
    .execute();
  await db.schema.createIndex('audit_entries_actor_seq').on('audit_entries').columns(['actor_id', 'seq']).execute();
  await db.schema.createIndex('audit_entries_action_seq').on('audit_entries').columns(['action', 'seq']).execute();
  await db.schema.createIndex('audit_entries_created_at').on('audit_entries').column('created_at').execute();
  await db.schema
    .createTable('audit_head')
    .addColumn('id', 'integer', (c) => c.notNull().primaryKey())
    .addColumn('seq', bigint, (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('pruned_through', bigint, (c) => c.notNull())
    .execute();
  await sql`insert into audit_head (id, seq, hash, pruned_through) values (1, 0, ${'0'.repeat(64)}, 0)`.execute(db);
  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('seq', bigint, (c) => c.notNull().primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', bigint, (c) => c.notNull())
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();
}
