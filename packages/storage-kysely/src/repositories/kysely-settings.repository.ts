import type { SettingsRepository } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { durableWrite } from '../durable-write.js';
import { preparedQuery } from '../prepared-query.js';
import type { StorageDialect } from '../storage-dialect.js';

export class KyselySettingsRepository implements SettingsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
  ) {}

  // Read on every request of a signed-in person (the 2FA policy): built and compiled once.
  private getQueryCompiled: ReturnType<typeof buildGetQuery> | undefined;
  private get getQuery() {
    this.getQueryCompiled ??= buildGetQuery(this.db);
    return this.getQueryCompiled;
  }

  async get(key: string): Promise<string | undefined> {
    const [row] = (await this.getQuery({ key })).rows;
    return row?.value;
  }

  async setIfAbsent(key: string, value: string): Promise<string> {
    // Insert-or-nothing, then read: when several processes start at once, all of them end up
    // with the value of whichever inserted first.
    return durableWrite(this.db, this.dialect, async (trx) => {
      await trx
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const row = await trx.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
      return row.value;
    });
  }

  async set(key: string, value: string): Promise<void> {
    await durableWrite(this.db, this.dialect, (trx) =>
      trx
        .insertInto('settings')
        .values({ key, value })
        .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })))
        .execute(),
    );
  }
}

function buildGetQuery(db: Kysely<Database>) {
  return preparedQuery<{ value: string }, 'key'>(db, (value) =>
    db.selectFrom('settings').select('value').where('key', '=', value('key')),
  );
}
