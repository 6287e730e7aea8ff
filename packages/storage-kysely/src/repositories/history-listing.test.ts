import type { HistoryFilter } from '@tessera/core';
import { type CompiledQuery, type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../database.js';
import { postgresForTests } from '../test-support/postgres-for-tests.js';
import { aHistoryEntry, at, aUser } from '../test-support/record-factories.js';
import { openTestStorage, type TestStorage } from '../test-support/test-storage.js';
import { countedTotalQuery, historyCountQuery, historyPageQuery } from './history-listing.js';

/**
 * The plans of the history listing's queries, for every combination of filters: each page comes
 * from one index already in order (no sort of the filtered set), and each count from index
 * entries alone (no table reads). The timings are in the scale benchmark; this keeps a new
 * filter or a dropped index from quietly turning a listing back into a scan of the table.
 */
const postgres = await postgresForTests('PostgreSQL history plan tests');

const USER = 'plan-user';
const FILTERS: HistoryFilter[] = [];
for (const userId of [undefined, USER])
  for (const method of [undefined, 'sms'])
    for (const enabled of [undefined, true])
      for (const range of [{}, { from: at(1_000) }, { from: at(1_000), to: at(9_000) }])
        FILTERS.push({ userId, method, enabled, ...range });

for (const kind of ['sqlite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && !postgres)(`${kind}: history listing plans`, () => {
    let storage: TestStorage;
    beforeAll(async () => {
      storage = await openTestStorage(kind);
      await storage.users.create(aUser({ id: USER }));
      // Spread like a real history: the user holds a few of the entries, over the whole time
      // range, of each method and flag, so that the planner has a reason to pick each index.
      const methods = ['totp', 'sms', 'email', 'backup_codes'];
      for (let i = 0; i < 400; i++) {
        await storage.history.insert(
          aHistoryEntry(i % 20 === 0 ? USER : null, {
            method: methods[i % 4],
            enabled: i % 3 === 0,
            createdAt: at(i * 25),
          }),
        );
      }
      // PostgreSQL plans by statistics and the visibility map, as autovacuum keeps them.
      if (kind === 'postgres') await sql`vacuum analyze history`.execute(storage.db);
    });
    afterAll(async () => storage.dispose());

    for (const filter of FILTERS) {
      const label = JSON.stringify(filter);
      for (const order of ['asc', 'desc'] as const) {
        it(`page ${order} ${label}: one index, in order`, async () => {
          const plan = await explain(storage.db, kind, historyPageQuery(storage.db, filter, order, 20, 40).compile());
          if (kind === 'sqlite') {
            expect(plan).not.toMatch(/TEMP B-TREE/);
            expect(plan).toMatch(/USING (COVERING )?INDEX history_/);
          } else {
            expect(plan).not.toMatch(/Seq Scan|Sort/);
            expect(plan).toMatch(/Index (Only )?Scan( Backward)? using history_/);
          }
        });
      }
      it(`count ${label}: index entries only`, async () => {
        const plan = await explain(storage.db, kind, historyCountQuery(storage.db, filter).compile());
        if (kind === 'sqlite') expect(plan).toMatch(/^(SCAN|SEARCH) history USING COVERING INDEX \w+/);
        else {
          // An index-only scan when the visibility map allows it, which depends on what else
          // the server is running (vacuum cannot mark pages that an open snapshot may still
          // need): the check is that an index holds every column of the filter.
          expect(plan, plan).not.toMatch(/Seq Scan|Bitmap Heap Scan|Filter:/);
          expect(plan).toMatch(/Index (Only )?Scan using history_/);
        }
      });
      if (filter.userId !== undefined && filter.from === undefined && filter.to === undefined) {
        it(`counted total ${label}: the user's counter rows by primary key`, async () => {
          const query = countedTotalQuery(storage.db, filter);
          if (query === undefined) throw new Error('a filter on a user without a time is counted');
          const plan = await explain(storage.db, kind, query.compile());
          if (kind === 'sqlite')
            expect(plan).toMatch(/^SEARCH history_user_counts USING (COVERING )?INDEX \w+ \(user_id=\?/);
          else {
            expect(plan, plan).not.toMatch(/Seq Scan/);
            expect(plan).toMatch(/Index (Only )?Scan using history_user_counts_pkey/);
          }
        });
      }
    }
  });
}

/**
 * The plan as text. PostgreSQL: sequential scans and sorts are priced out, so that the plan
 * shows whether an index can serve the query at all, whatever a 20-row table would favour.
 */
async function explain(db: Kysely<Database>, kind: 'sqlite' | 'postgres', query: CompiledQuery): Promise<string> {
  return db.connection().execute(async (connection) => {
    if (kind === 'sqlite') {
      const { rows } = await connection.executeQuery<{ detail: string }>({
        ...query,
        sql: `explain query plan ${query.sql}`,
      });
      return rows.map((row) => row.detail).join('\n');
    }
    await sql`set enable_seqscan = off`.execute(connection);
    await sql`set enable_sort = off`.execute(connection);
    await sql`set enable_bitmapscan = off`.execute(connection);
    try {
      const { rows } = await connection.executeQuery<{ 'QUERY PLAN': string }>({
        ...query,
        sql: `explain ${query.sql}`,
      });
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    } finally {
      await sql`reset all`.execute(connection);
    }
  });
}
