import type { HistoryFilter, HistoryRecord, StoredHistoryRecord } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { aHistoryEntry, at } from '../record-factories.js';
import type { ContractContext } from './context.js';

/** The 2FA change history: storing, filtering and paging. */
export function describeHistoryContract(ctx: ContractContext): void {
  describe('history', () => {
    it('stores an entry and reads it back exactly', async () => {
      const user = await ctx.createdUser();
      const entry = aHistoryEntry(user.id, {
        method: 'backup_codes',
        action: 'regenerate',
        enabled: true,
        actor: 'admin',
        actorId: 'admin-id',
        details: '{"remaining":10}',
      });
      const policy = aHistoryEntry(null, {
        method: 'policy',
        action: 'policy',
        enabled: false,
        actor: 'system',
        actorId: null,
        clientIp: null,
      });
      const entryNumber = await ctx.storage.history.insert(entry);
      const policyNumber = await ctx.storage.history.insert(policy);
      expect(await ctx.storage.history.findById(entry.id)).toEqual({ ...entry, number: entryNumber });
      expect(await ctx.storage.history.findById(policy.id)).toEqual({ ...policy, number: policyNumber });
      expect(await ctx.storage.history.findById('not a uuid')).toBeUndefined();
    });

    it('numbers the entries 1, 2, 3, … in the order written: found by number, never repeated, also when written at once', async () => {
      const user = await ctx.createdUser();
      const first = await ctx.storage.history.insert(aHistoryEntry(user.id, { createdAt: at(1) }));
      const second = await ctx.storage.history.insert(aHistoryEntry(user.id, { createdAt: at(2) }));
      expect(Number.isSafeInteger(first) && first > 0).toBe(true);
      expect(second).toBeGreaterThan(first);
      const concurrent = await Promise.all(
        Array.from({ length: 8 }, () => ctx.storage.history.insert(aHistoryEntry(user.id, { createdAt: at(3) }))),
      );
      expect(new Set([first, second, ...concurrent]).size).toBe(10);
      const found = await ctx.storage.history.findByNumber(second);
      expect(found).toMatchObject({ number: second, userId: user.id });
      expect(await ctx.storage.history.findByNumber(Math.max(...concurrent) + 1000)).toBeUndefined();
      const listed = await ctx.storage.history.list({ userId: user.id }, 'asc', 20, 0);
      expect(listed.items.map((item) => item.number).slice(0, 2)).toEqual([first, second]);
    });

    it('counts the entries of a change that commits, and not those of one rolled back', async () => {
      const user = await ctx.createdUser();
      const gone = await ctx.createdUser();
      await ctx.storage.history.insert(aHistoryEntry(user.id, { method: 'sms', enabled: true }));
      await ctx.storage.history.insert(aHistoryEntry(gone.id, { method: 'sms', enabled: false }));
      const failure = new Error('rolled back');
      await expect(
        ctx.storage.transaction(async (repos) => {
          await repos.history.insert(aHistoryEntry(user.id, { method: 'sms', enabled: true }));
          throw failure;
        }),
      ).rejects.toBe(failure);
      await ctx.storage.transaction(async (repos) => {
        await repos.history.insert(aHistoryEntry(user.id, { method: 'totp', enabled: true }));
        await repos.history.insert(aHistoryEntry(null, { method: 'sms', enabled: true }));
      });
      // A user's deletion keeps their entries, and so their count.
      await ctx.storage.db.deleteFrom('users').where('id', '=', gone.id).execute();
      const totals = async (filter: HistoryFilter) => (await ctx.storage.history.list(filter, 'desc', 1, 0)).total;
      expect(await totals({})).toBe(4);
      expect(await totals({ method: 'sms' })).toBe(3);
      expect(await totals({ method: 'sms', enabled: true })).toBe(2);
      expect(await totals({ enabled: false })).toBe(1);
      expect(await totals({ method: 'email' })).toBe(0);
      expect(await totals({ userId: user.id })).toBe(2);
    });

    /** The listing's total and, to check it against, the count of the rows themselves. */
    async function userTotals(filter: HistoryFilter): Promise<{ total: number; rows: number }> {
      const { total } = await ctx.storage.history.list(filter, 'desc', 1, 0);
      let rows = ctx.storage.db
        .selectFrom('history')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('user_id', '=', filter.userId ?? null);
      if (filter.method !== undefined) rows = rows.where('method', '=', filter.method);
      if (filter.enabled !== undefined) rows = rows.where('enabled', '=', filter.enabled ? 1 : 0);
      return { total, rows: Number((await rows.executeTakeFirstOrThrow()).n) };
    }

    it("keeps each user's totals exact over inserts, a rolled-back unit of work and the filters", async () => {
      const alice = await ctx.createdUser();
      const bob = await ctx.createdUser();
      const kinds = [
        ['sms', true],
        ['totp', true],
        ['sms', false],
        ['backup_codes', true],
        ['sms', true],
      ] as const;
      for (const [method, enabled] of kinds) {
        await ctx.storage.history.insert(aHistoryEntry(alice.id, { method, enabled }));
      }
      await ctx.storage.history.insert(aHistoryEntry(bob.id, { method: 'sms', enabled: true }));
      await ctx.storage.history.insert(aHistoryEntry(null, { method: 'sms', enabled: true }));
      const failure = new Error('rolled back');
      await expect(
        ctx.storage.transaction(async (repos) => {
          await repos.history.insert(aHistoryEntry(alice.id, { method: 'sms', enabled: true }));
          await repos.history.insert(aHistoryEntry(alice.id, { method: 'email', enabled: true }));
          await repos.history.insert(aHistoryEntry(bob.id, { method: 'totp', enabled: false }));
          throw failure;
        }),
      ).rejects.toBe(failure);
      await ctx.storage.transaction(async (repos) => {
        await repos.history.insert(aHistoryEntry(bob.id, { method: 'totp', enabled: true }));
        await repos.history.insert(aHistoryEntry(alice.id, { method: 'totp', enabled: true }));
      });
      const cases: [HistoryFilter, number][] = [
        [{ userId: alice.id }, 6],
        [{ userId: alice.id, method: 'sms' }, 3],
        [{ userId: alice.id, method: 'sms', enabled: true }, 2],
        [{ userId: alice.id, enabled: false }, 1],
        [{ userId: alice.id, enabled: true }, 5],
        [{ userId: alice.id, method: 'totp' }, 2],
        [{ userId: alice.id, method: 'email' }, 0],
        [{ userId: bob.id }, 2],
        [{ userId: bob.id, enabled: false }, 0],
        [{ userId: bob.id, method: 'totp', enabled: true }, 1],
        [{ userId: 'nobody' }, 0],
      ];
      for (const [filter, expected] of cases) {
        expect({ filter, ...(await userTotals(filter)) }).toEqual({ filter, total: expected, rows: expected });
      }
      // With a time filter the total is counted from the rows: the same answer.
      const timed = await ctx.storage.history.list({ userId: alice.id, from: at(-1) }, 'desc', 1, 0);
      expect(timed.total).toBe(6);
    });

    it("takes a pseudonymised user's entries off their totals, and only theirs", async () => {
      const alice = await ctx.createdUser();
      const bob = await ctx.createdUser();
      for (const [method, enabled] of [
        ['sms', true],
        ['totp', false],
        ['sms', true],
        ['account', false],
      ] as const) {
        await ctx.storage.history.insert(aHistoryEntry(alice.id, { method, enabled }));
      }
      await ctx.storage.history.insert(aHistoryEntry(bob.id, { method: 'sms', enabled: true }));
      const all = (await ctx.storage.history.list({}, 'desc', 1, 0)).total;

      // Rolled back, it takes nothing off.
      const failure = new Error('rolled back');
      await expect(
        ctx.storage.transaction(async (repos) => {
          expect(await repos.history.pseudonymise(alice.id, 'deleted-a')).toBe(4);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await userTotals({ userId: alice.id })).toEqual({ total: 4, rows: 4 });

      await ctx.storage.transaction(async (repos) => {
        expect(await repos.history.pseudonymise(alice.id, 'deleted-a')).toBe(4);
        expect((await repos.history.list({ userId: alice.id }, 'desc', 1, 0)).total).toBe(0);
      });
      for (const filter of [
        { userId: alice.id },
        { userId: alice.id, method: 'sms' },
        { userId: alice.id, enabled: false },
      ]) {
        expect({ filter, ...(await userTotals(filter)) }).toEqual({ filter, total: 0, rows: 0 });
      }
      expect(await userTotals({ userId: bob.id })).toEqual({ total: 1, rows: 1 });
      // The entries stay, so the totals over every user do too.
      expect((await ctx.storage.history.list({}, 'desc', 1, 0)).total).toBe(all);
      // Counting starts again from nothing for an entry about the same id written later.
      await ctx.storage.history.insert(aHistoryEntry(alice.id, { method: 'sms', enabled: true }));
      expect(await userTotals({ userId: alice.id })).toEqual({ total: 1, rows: 1 });

      // A user row deleted without pseudonymising: its entries lose their user_id, and its totals go.
      await ctx.storage.history.insert(aHistoryEntry(bob.id, { method: 'totp', enabled: true }));
      await ctx.storage.db.deleteFrom('users').where('id', '=', bob.id).execute();
      expect(await userTotals({ userId: bob.id })).toEqual({ total: 0, rows: 0 });
      expect((await ctx.storage.history.list({}, 'desc', 1, 0)).total).toBe(all + 2);
    });

    /** 40 entries over two users and the system, several sharing a millisecond. */
    async function seedHistory(): Promise<{ alice: string; bob: string; entries: HistoryRecord[] }> {
      const alice = (await ctx.createdUser()).id;
      const bob = (await ctx.createdUser()).id;
      const methods = ['totp', 'sms', 'backup_codes'];
      const entries = Array.from({ length: 40 }, (_, i) =>
        aHistoryEntry(i % 5 === 4 ? null : i % 2 === 0 ? alice : bob, {
          method: i % 5 === 4 ? 'policy' : methods[i % 3]!,
          action: i % 3 === 0 ? 'disable' : 'enable',
          enabled: i % 3 !== 0,
          // Four entries per millisecond: the order must fall back on the id.
          createdAt: at(Math.floor(i / 4) * 1_000),
        }),
      );
      // Inserted out of order, so storage order cannot pass for the listing order.
      for (const entry of [...entries].reverse()) await ctx.storage.history.insert(entry);
      return { alice, bob, entries };
    }

    /** Listed entries as they were written: their numbers are the database's, checked apart. */
    function unnumbered(items: StoredHistoryRecord[]): HistoryRecord[] {
      return items.map(({ number: _number, ...entry }) => entry);
    }

    function expected(entries: HistoryRecord[], keep: (entry: HistoryRecord) => boolean, order: 'asc' | 'desc') {
      const sorted = entries
        .filter(keep)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return order === 'asc' ? sorted : sorted.reverse();
    }

    it('lists everything in either order, by time then id', async () => {
      const { entries } = await seedHistory();
      for (const order of ['asc', 'desc'] as const) {
        const page = await ctx.storage.history.list({}, order, 100, 0);
        expect(page.total).toBe(40);
        expect(unnumbered(page.items)).toEqual(expected(entries, () => true, order));
      }
    });

    it('pages through the whole set without gaps or repeats', async () => {
      const { entries } = await seedHistory();
      for (const order of ['asc', 'desc'] as const) {
        const seen: HistoryRecord[] = [];
        for (let offset = 0; offset < 45; offset += 7) {
          const page = await ctx.storage.history.list({}, order, 7, offset);
          expect(page.total).toBe(40);
          expect(page.items.length).toBe(Math.max(0, Math.min(7, 40 - offset)));
          seen.push(...unnumbered(page.items));
        }
        expect(seen).toEqual(expected(entries, () => true, order));
      }
      expect(await ctx.storage.history.list({}, 'asc', 10, 40)).toEqual({ items: [], total: 40 });
    });

    it('filters by user, method, enabled and time range, and counts the filtered set', async () => {
      const { alice, bob, entries } = await seedHistory();
      const cases: [HistoryFilter, (entry: HistoryRecord) => boolean][] = [
        [{ userId: alice }, (e) => e.userId === alice],
        [{ userId: bob, method: 'sms' }, (e) => e.userId === bob && e.method === 'sms'],
        [{ method: 'policy' }, (e) => e.method === 'policy'],
        [{ enabled: false }, (e) => !e.enabled],
        [{ enabled: true, userId: alice }, (e) => e.enabled && e.userId === alice],
        // from is inclusive, to exclusive: at(2_000) is in, at(6_000) is out.
        [{ from: at(2_000), to: at(6_000) }, (e) => e.createdAt >= at(2_000) && e.createdAt < at(6_000)],
        [
          { userId: alice, method: 'totp', enabled: true, from: at(1_000), to: at(9_000) },
          (e) =>
            e.userId === alice &&
            e.method === 'totp' &&
            e.enabled &&
            e.createdAt >= at(1_000) &&
            e.createdAt < at(9_000),
        ],
        // Filters without a user, and the enabled flag with a user and a time: each served by
        // an index of its own (migration 2026_11_25_000070), with the same answers.
        [{ method: 'sms', enabled: true }, (e) => e.method === 'sms' && e.enabled],
        [{ method: 'totp', from: at(3_000) }, (e) => e.method === 'totp' && e.createdAt >= at(3_000)],
        [{ enabled: true, to: at(5_000) }, (e) => e.enabled && e.createdAt < at(5_000)],
        [
          { userId: bob, enabled: false, from: at(2_000) },
          (e) => e.userId === bob && !e.enabled && e.createdAt >= at(2_000),
        ],
        [{ userId: undefined, method: undefined, enabled: undefined }, () => true],
        [{ userId: 'nobody' }, () => false],
      ];
      for (const [filter, keep] of cases) {
        const all = expected(entries, keep, 'desc');
        const page = await ctx.storage.history.list(filter, 'desc', 3, 1);
        expect({ filter, total: page.total }).toEqual({ filter, total: all.length });
        expect(unnumbered(page.items)).toEqual(all.slice(1, 4));
      }
      // The range boundaries, pinned down on their own.
      const range = await ctx.storage.history.list({ from: at(2_000), to: at(6_000) }, 'asc', 100, 0);
      expect(range.items[0]?.createdAt).toEqual(at(2_000));
      expect(range.items.at(-1)?.createdAt).toEqual(at(5_000));
      expect(range.total).toBe(16);
    });
  });
}
