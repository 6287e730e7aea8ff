import { describe, expect, it } from 'vitest';
import { aBackupCode, aBackupCodeSet, at } from '../record-factories.js';
import { CALLERS, type ContractContext } from './context.js';

/** Backup codes, including concurrent use and replacement. */
export function describeBackupCodeContract(ctx: ContractContext): void {
  describe('backup codes', () => {
    async function storedBackupCodes(userId: string) {
      return ctx.storage.db
        .selectFrom('backup_codes')
        .select(['id', 'code_hash', 'used_at'])
        .where('user_id', '=', userId)
        .orderBy('id')
        .execute();
    }

    it('stores a set and counts the unused codes', async () => {
      const user = await ctx.createdUser();
      const set = [...aBackupCodeSet(user.id, 9), aBackupCode(user.id, { usedAt: at(5) })];
      await ctx.storage.backupCodes.replaceSet(user.id, set);
      expect(await ctx.storage.backupCodes.countRemaining(user.id)).toBe(9);
      expect(await ctx.storage.backupCodes.countRemaining((await ctx.createdUser()).id)).toBe(0);
      const stored = await storedBackupCodes(user.id);
      expect(stored.map((row) => row.id)).toEqual(set.map((code) => code.id).sort());
    });

    it('uses a code once, recording the time', async () => {
      const user = await ctx.createdUser();
      const set = aBackupCodeSet(user.id, 3);
      await ctx.storage.backupCodes.replaceSet(user.id, set);
      const code = set[1]!;
      expect(await ctx.storage.backupCodes.consume(user.id, code.codeHash, at(7_007))).toBe(true);
      expect(await ctx.storage.backupCodes.consume(user.id, code.codeHash, at(8_008))).toBe(false);
      expect(await ctx.storage.backupCodes.countRemaining(user.id)).toBe(2);
      const stored = await storedBackupCodes(user.id);
      expect(stored.find((row) => row.id === code.id)?.used_at).toBe(at(7_007).getTime());
      expect(stored.filter((row) => row.used_at !== null)).toHaveLength(1);
    });

    it("refuses an unknown code, and another user's code", async () => {
      const user = await ctx.createdUser();
      const other = await ctx.createdUser();
      const set = aBackupCodeSet(user.id, 2);
      await ctx.storage.backupCodes.replaceSet(user.id, set);
      const othersCode = aBackupCode(other.id);
      await ctx.storage.backupCodes.replaceSet(other.id, [othersCode]);
      expect(await ctx.storage.backupCodes.consume(user.id, 'hash-unknown', at(1))).toBe(false);
      expect(await ctx.storage.backupCodes.consume(user.id, othersCode.codeHash, at(1))).toBe(false);
      expect(await ctx.storage.backupCodes.consume(other.id, set[0]!.codeHash, at(1))).toBe(false);
      expect(await ctx.storage.backupCodes.countRemaining(user.id)).toBe(2);
      expect(await ctx.storage.backupCodes.countRemaining(other.id)).toBe(1);
    });

    it("replaces the whole set, used codes included, and leaves other users' sets alone", async () => {
      const user = await ctx.createdUser();
      const other = await ctx.createdUser();
      const old = aBackupCodeSet(user.id, 3);
      await ctx.storage.backupCodes.replaceSet(user.id, old);
      expect(await ctx.storage.backupCodes.consume(user.id, old[0]!.codeHash, at(1))).toBe(true);
      const othersSet = aBackupCodeSet(other.id, 4);
      await ctx.storage.backupCodes.replaceSet(other.id, othersSet);

      const fresh = aBackupCodeSet(user.id, 5);
      await ctx.storage.backupCodes.replaceSet(user.id, fresh);
      expect(await ctx.storage.backupCodes.countRemaining(user.id)).toBe(5);
      expect(await ctx.storage.backupCodes.consume(user.id, old[1]!.codeHash, at(2))).toBe(false);
      expect((await storedBackupCodes(user.id)).map((row) => row.id)).toEqual(fresh.map((c) => c.id).sort());
      expect(await ctx.storage.backupCodes.countRemaining(other.id)).toBe(4);

      await ctx.storage.backupCodes.replaceSet(user.id, []);
      expect(await ctx.storage.backupCodes.countRemaining(user.id)).toBe(0);
    });

    it('may reuse a hash the replaced set had (the old row is gone first)', async () => {
      const user = await ctx.createdUser();
      const code = aBackupCode(user.id);
      await ctx.storage.backupCodes.replaceSet(user.id, [code]);
      await ctx.storage.backupCodes.replaceSet(user.id, [aBackupCode(user.id, { codeHash: code.codeHash })]);
      expect(await ctx.storage.backupCodes.countRemaining(user.id)).toBe(1);
    });

    it('keeps the old set when the new one cannot be stored', async () => {
      const user = await ctx.createdUser();
      const old = aBackupCodeSet(user.id, 3);
      await ctx.storage.backupCodes.replaceSet(user.id, old);
      const clash = aBackupCode(user.id);
      await expect(
        ctx.storage.backupCodes.replaceSet(user.id, [clash, aBackupCode(user.id, { codeHash: clash.codeHash })]),
      ).rejects.toThrow();
      expect((await storedBackupCodes(user.id)).map((row) => row.id)).toEqual(old.map((c) => c.id).sort());
    });

    it('refuses a set holding a code of another user', async () => {
      const user = await ctx.createdUser();
      const other = await ctx.createdUser();
      await expect(ctx.storage.backupCodes.replaceSet(user.id, [aBackupCode(other.id)])).rejects.toThrow();
      expect(await ctx.storage.backupCodes.countRemaining(other.id)).toBe(0);
    });

    it("deletes all of a user's codes and only those", async () => {
      const user = await ctx.createdUser();
      const other = await ctx.createdUser();
      await ctx.storage.backupCodes.replaceSet(user.id, aBackupCodeSet(user.id, 3));
      await ctx.storage.backupCodes.replaceSet(other.id, aBackupCodeSet(other.id, 2));
      await ctx.storage.backupCodes.deleteAll(user.id);
      expect(await storedBackupCodes(user.id)).toEqual([]);
      expect(await ctx.storage.backupCodes.countRemaining(other.id)).toBe(2);
    });

    it(`lets exactly one of ${CALLERS} concurrent uses of one code win`, async () => {
      const user = await ctx.createdUser();
      const set = aBackupCodeSet(user.id, 3);
      await ctx.storage.backupCodes.replaceSet(user.id, set);
      const storages = await ctx.connections({ transactions: true });
      for (const [round, code] of set.entries()) {
        const results = await ctx.race(storages, (s) => s.backupCodes.consume(user.id, code.codeHash, at(round)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await ctx.storage.backupCodes.countRemaining(user.id)).toBe(set.length - round - 1);
      }
    });

    it(`leaves exactly one whole set after ${CALLERS} concurrent replacements`, async () => {
      const user = await ctx.createdUser();
      await ctx.storage.backupCodes.replaceSet(user.id, aBackupCodeSet(user.id, 10));
      const sets = Array.from({ length: CALLERS }, () => aBackupCodeSet(user.id, 10));
      await ctx.race(await ctx.connections({ transactions: true }), (s, i) =>
        s.backupCodes.replaceSet(user.id, sets[i]!),
      );
      const stored = (await storedBackupCodes(user.id)).map((row) => row.id);
      expect(stored).toHaveLength(10);
      expect(sets.map((set) => set.map((code) => code.id).sort())).toContainEqual(stored);
    });
  });
}
