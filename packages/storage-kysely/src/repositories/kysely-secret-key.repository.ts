import type { HashedTable, KeyCount, SealedColumn, SecretKeyRepository } from '@tessera/core';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../database.js';
import { durableWrite } from '../durable-write.js';
import type { StorageDialect } from '../storage-dialect.js';
import { toMillis } from './time-columns.js';

/** Where each sealed column lives. Fixed names only: nothing here comes from a caller. */
const SEALED: Record<SealedColumn, { table: keyof Database; id: string; column: string }> = {
  totp_secret: { table: 'factor_totp', id: 'factor_id', column: 'sealed_secret' },
  sms_phone: { table: 'factor_sms', id: 'factor_id', column: 'sealed_phone' },
  // A phone stored before phones were sealed is in clear (`+…`): not a sealed value.
  user_phone: { table: 'users', id: 'id', column: 'phone' },
  verification_destination: { table: 'destination_verifications', id: 'id', column: 'sealed_destination' },
  webhook_secret: { table: 'webhook_secrets', id: 'id', column: 'sealed_secret' },
};

/** A sealed value is `v1.<12-hex key id>.…`: the key id is characters 4 to 15. */
const SEALED_KEY_ID = (column: string) => sql<string>`substr(${sql.ref(column)}, 4, 12)`;
const IS_SEALED = (column: string) => sql<boolean>`${sql.ref(column)} like 'v1.%'`;

interface HashedTableShape {
  table: keyof Database;
  /** The hash a row is found by (the one counted). */
  column: string;
  /** Other keyed hashes of the row, tagged with it (a delivered code's recipient and client). */
  alsoTagged: string[];
  /** The rows whose hash can still be used at `now`. */
  live: (now: number) => RawBuilder<boolean>;
}

const HASHED: Record<HashedTable, HashedTableShape> = {
  api_tokens: { table: 'api_tokens', column: 'token_hash', alsoTagged: [], live: () => sql`revoked_at is null` },
  refresh_tokens: {
    table: 'refresh_tokens',
    column: 'token_hash',
    alsoTagged: [],
    live: (now) =>
      sql`rotated_at is null and expires_at > ${now} and not exists (select 1 from session_families f where f.id = refresh_tokens.family_id and f.revoked_at is not null)`,
  },
  backup_codes: { table: 'backup_codes', column: 'code_hash', alsoTagged: [], live: () => sql`used_at is null` },
  trusted_devices: {
    table: 'trusted_devices',
    column: 'token_hash',
    alsoTagged: [],
    live: (now) => sql`revoked_at is null and expires_at > ${now}`,
  },
  success_tokens: {
    table: 'success_tokens',
    column: 'token_hash',
    alsoTagged: [],
    live: (now) => sql`used_at is null and expires_at > ${now}`,
  },
  delivered_codes: {
    table: 'delivered_codes',
    column: 'code_hash',
    alsoTagged: ['recipient_hash', 'client_ip_hash'],
    live: (now) => sql`consumed_at is null and expires_at > ${now}`,
  },
};

/** A tagged hash is `<12-hex key id>.<digest>`; a base64url digest never holds a dot. */
const HASH_KEY_ID = (column: string) =>
  sql<string | null>`case when substr(${sql.ref(column)}, 13, 1) = '.' then substr(${sql.ref(column)}, 1, 12) end`;

/**
 * The census and rewrites behind secret-key rotation, in plain SQL that both SQLite and
 * PostgreSQL run (substr, ||, like). Scans, not index lookups: run by an operator's command
 * and once per start, never on a request.
 */
export class KyselySecretKeyRepository implements SecretKeyRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
  ) {}

  async countSealed(): Promise<KeyCount<SealedColumn>[]> {
    const counts: KeyCount<SealedColumn>[] = [];
    for (const [name, { table, column }] of Object.entries(SEALED) as [SealedColumn, (typeof SEALED)[SealedColumn]][]) {
      const { rows } = await sql<{ key_id: string; count: number | string }>`
        select ${SEALED_KEY_ID(column)} as key_id, count(*) as count from ${sql.table(table)}
        where ${IS_SEALED(column)} group by ${SEALED_KEY_ID(column)}`.execute(this.db);
      for (const row of rows) counts.push({ column: name, keyId: row.key_id, count: Number(row.count) });
    }
    return counts;
  }

  async listSealedNotUnder(
    column: SealedColumn,
    keyId: string,
    after: string | null,
    limit: number,
  ): Promise<{ id: string; sealed: string }[]> {
    const shape = SEALED[column];
    const { rows } = await sql<{ id: string; sealed: string }>`
      select ${sql.ref(shape.id)} as id, ${sql.ref(shape.column)} as sealed from ${sql.table(shape.table)}
      where ${IS_SEALED(shape.column)} and ${SEALED_KEY_ID(shape.column)} <> ${keyId}
      ${after === null ? sql`` : sql`and ${sql.ref(shape.id)} > ${after}`}
      order by ${sql.ref(shape.id)} limit ${limit}`.execute(this.db);
    return rows;
  }

  async replaceSealed(column: SealedColumn, id: string, expected: string, next: string): Promise<boolean> {
    const shape = SEALED[column];
    // Durable: the re-sealed value replaces the only copy of the secret.
    const result = await durableWrite(this.db, this.dialect, (trx) =>
      sql`update ${sql.table(shape.table)} set ${sql.ref(shape.column)} = ${next}
        where ${sql.ref(shape.id)} = ${id} and ${sql.ref(shape.column)} = ${expected}`.execute(trx),
    );
    return (result.numAffectedRows ?? 0n) > 0n;
  }

  async countHashes(now: Date): Promise<KeyCount<HashedTable>[]> {
    const counts: KeyCount<HashedTable>[] = [];
    for (const [name, shape] of Object.entries(HASHED) as [HashedTable, HashedTableShape][]) {
      const { rows } = await sql<{ key_id: string | null; count: number | string }>`
        select ${HASH_KEY_ID(shape.column)} as key_id, count(*) as count from ${sql.table(shape.table)}
        where ${shape.live(toMillis(now))} group by ${HASH_KEY_ID(shape.column)}`.execute(this.db);
      for (const row of rows) counts.push({ column: name, keyId: row.key_id, count: Number(row.count) });
    }
    return counts;
  }

  async tagUntaggedHashes(keyId: string): Promise<number> {
    let changed = 0;
    const prefix = `${keyId}.`;
    for (const shape of Object.values(HASHED)) {
      for (const column of [shape.column, ...shape.alsoTagged]) {
        const result = await durableWrite(this.db, this.dialect, (trx) =>
          sql`update ${sql.table(shape.table)} set ${sql.ref(column)} = ${prefix} || ${sql.ref(column)}
            where ${sql.ref(column)} is not null and ${sql.ref(column)} not like '%.%'`.execute(trx),
        );
        changed += Number(result.numAffectedRows ?? 0n);
      }
    }
    return changed;
  }

  async listLiveFlows(kind: string, now: Date): Promise<{ id: string; data: string }[]> {
    return this.db
      .selectFrom('flows')
      .select(['id', 'data'])
      .where('kind', '=', kind)
      .where('expires_at', '>', toMillis(now))
      .orderBy('id')
      .execute();
  }

  async replaceFlowData(id: string, expected: string, next: string): Promise<boolean> {
    const result = await this.db
      .updateTable('flows')
      .set({ data: next })
      .where('id', '=', id)
      .where('data', '=', expected)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async replaceSetting(key: string, expected: string, next: string): Promise<boolean> {
    const result = await durableWrite(this.db, this.dialect, (trx) =>
      trx
        .updateTable('settings')
        .set({ value: next })
        .where('key', '=', key)
        .where('value', '=', expected)
        .executeTakeFirst(),
    );
    return result.numUpdatedRows > 0n;
  }
}
