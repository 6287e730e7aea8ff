import { type ColumnDataType, type Kysely, type RawBuilder, sql } from 'kysely';

/*
 * What each second-factor method keeps moves out of the generic `factors` row into a table per
 * kind, and factors.sealed_secret, factors.params and factors.last_used_step go. A new method
 * then adds a table of its own instead of overloading shared columns. Same rules as the earlier
 * migrations: Kysely<any>, one file for both dialects, ids as text, times and steps as BIGINT on
 * PostgreSQL.
 *
 * The old `params` JSON was read with defaults filled in (TOTP: SHA1, 6 digits, 30 s), so the
 * copy fills in the same ones. A factor whose details cannot be moved (a kind no method knows, a
 * TOTP factor without a key, an SMS or e-mail factor without its masked address) stops the
 * migration before the old columns are dropped: dropping them would lose it for good.
 */

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
type AnyDb = Kysely<any>;

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on the app's Database type.
export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  // The Migrator wraps a PostgreSQL migration in a transaction, but not a SQLite one (Kysely
  // treats SQLite DDL as non-transactional; it is transactional): without one, a failed check
  // would leave the new tables half filled and the old columns in place.
  if (db.isTransaction) await migrate(db, dialect);
  else await db.transaction().execute((trx) => migrate(trx, dialect));
}

async function migrate(db: AnyDb, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await createTables(db, dialect);
  await copyDetails(db, dialect);
  await refuseFactorsLeftBehind(db);
  // None of the three is indexed or named in a constraint, so SQLite can drop them in place.
  for (const column of ['sealed_secret', 'params', 'last_used_step']) {
    await db.schema.alterTable('factors').dropColumn(column).execute();
  }
}

async function createTables(db: AnyDb, dialect: 'sqlite' | 'postgres'): Promise<void> {
  // Steps are Unix time / period: far past 32 bits for short periods and far futures.
  const step: ColumnDataType = dialect === 'postgres' ? 'bigint' : 'integer';
  // The factor id is the primary key: one details row per factor, found by the join on it, and
  // gone with its factor.
  const factorId = (table: ReturnType<AnyDb['schema']['createTable']>) =>
    table.addColumn('factor_id', 'text', (c) => c.notNull().primaryKey().references('factors.id').onDelete('cascade'));

  await factorId(db.schema.createTable('factor_totp'))
    .addColumn('sealed_secret', 'text', (c) => c.notNull())
    .addColumn('algorithm', 'text', (c) => c.notNull())
    .addColumn('digits', 'integer', (c) => c.notNull())
    .addColumn('period', 'integer', (c) => c.notNull())
    .addColumn('last_used_step', step)
    .execute();
  await factorId(db.schema.createTable('factor_sms'))
    .addColumn('sealed_phone', 'text', (c) => c.notNull())
    .addColumn('masked_phone', 'text', (c) => c.notNull())
    .execute();
  await factorId(db.schema.createTable('factor_email'))
    .addColumn('masked_email', 'text', (c) => c.notNull())
    .execute();
  await factorId(db.schema.createTable('factor_backup_codes'))
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('digits', 'integer', (c) => c.notNull())
    .execute();
}

async function copyDetails(db: AnyDb, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const text = (key: string): RawBuilder<string | null> =>
    dialect === 'postgres'
      ? sql`(params::jsonb ->> ${sql.lit(key)})`
      : sql`json_extract(params, ${sql.lit(`$.${key}`)})`;
  const integer = (key: string): RawBuilder<number | null> =>
    dialect === 'postgres'
      ? sql`cast(params::jsonb ->> ${sql.lit(key)} as integer)`
      : sql`json_extract(params, ${sql.lit(`$.${key}`)})`;
  const ofKind = (kind: string) => db.selectFrom('factors').where('kind', '=', sql.lit(kind));

  await db
    .insertInto('factor_totp')
    .columns(['factor_id', 'sealed_secret', 'algorithm', 'digits', 'period', 'last_used_step'])
    .expression(
      ofKind('totp')
        .select((eb) => [
          'id',
          'sealed_secret',
          eb.fn.coalesce(text('algorithm'), sql.lit('SHA1')).as('algorithm'),
          eb.fn.coalesce(integer('digits'), sql.lit(6)).as('digits'),
          eb.fn.coalesce(integer('period'), sql.lit(30)).as('period'),
          'last_used_step',
        ])
        .where('sealed_secret', 'is not', null),
    )
    .execute();
  // An SMS factor kept its sealed number as its secret, and the masked one in params.phone.
  await db
    .insertInto('factor_sms')
    .columns(['factor_id', 'sealed_phone', 'masked_phone'])
    .expression(
      ofKind('sms')
        .select(['id', 'sealed_secret', text('phone').as('masked_phone')])
        .where('sealed_secret', 'is not', null)
        .where(text('phone'), 'is not', null),
    )
    .execute();
  await db
    .insertInto('factor_email')
    .columns(['factor_id', 'masked_email'])
    .expression(
      ofKind('email')
        .select(['id', text('email').as('masked_email')])
        .where(text('email'), 'is not', null),
    )
    .execute();
  // Sets generated before the size was recorded get the default policy's (10 codes of 8 digits).
  await db
    .insertInto('factor_backup_codes')
    .columns(['factor_id', 'count', 'digits'])
    .expression(
      ofKind('backup_codes').select((eb) => [
        'id',
        eb.fn.coalesce(integer('count'), sql.lit(10)).as('count'),
        eb.fn.coalesce(integer('digits'), sql.lit(8)).as('digits'),
      ]),
    )
    .execute();
}

async function refuseFactorsLeftBehind(db: AnyDb): Promise<void> {
  const hasNo = (table: string) =>
    sql<boolean>`not exists (select 1 from ${sql.table(table)} d where d.factor_id = factors.id)`;
  const left = await db
    .selectFrom('factors')
    .select(['id', 'kind'])
    .where(hasNo('factor_totp'))
    .where(hasNo('factor_sms'))
    .where(hasNo('factor_email'))
    .where(hasNo('factor_backup_codes'))
    .orderBy('id')
    .limit(5)
    .execute();
  if (left.length > 0) {
    const which = left.map((row: { id: string; kind: string }) => `${row.id} (${row.kind})`).join(', ');
    throw new Error(
      `factors without the data their kind needs cannot be moved to the per-kind tables: ${which}${left.length === 5 ? ', …' : ''}`,
    );
  }
}
