import { describe, expect, it } from 'vitest';
import { aLockout, at } from '../record-factories.js';
import type { ContractContext } from './context.js';

/** Lockout counters and their compare-and-set. */
export function describeLockoutContract(ctx: ContractContext): void {
  describe('lockouts', () => {
    it('inserts with expected version 0, and a second insert loses', async () => {
      const user = await ctx.createdUser();
      expect(await ctx.storage.lockouts.find(user.id)).toBeUndefined();
      const first = aLockout(user.id, { failedCount: 1, version: 1 });
      expect(await ctx.storage.lockouts.compareAndSet(0, first)).toBe(true);
      expect(await ctx.storage.lockouts.find(user.id)).toEqual(first);
      expect(await ctx.storage.lockouts.compareAndSet(0, aLockout(user.id, { failedCount: 9, version: 1 }))).toBe(
        false,
      );
      expect(await ctx.storage.lockouts.find(user.id)).toEqual(first);
    });

    it('updates only from the expected version', async () => {
      const user = await ctx.createdUser();
      expect(await ctx.storage.lockouts.compareAndSet(0, aLockout(user.id, { version: 1 }))).toBe(true);
      const locked = aLockout(user.id, {
        failedCount: 0,
        lockLevel: 1,
        lockedUntil: at(300_007),
        totalFailures: 37,
        version: 2,
      });
      expect(await ctx.storage.lockouts.compareAndSet(1, locked)).toBe(true);
      expect(await ctx.storage.lockouts.find(user.id)).toEqual(locked);
      // A stale writer that read version 1 loses.
      expect(await ctx.storage.lockouts.compareAndSet(1, aLockout(user.id, { failedCount: 2, version: 2 }))).toBe(
        false,
      );
      expect(await ctx.storage.lockouts.find(user.id)).toEqual(locked);
    });

    it('refuses a version that does not move forward', async () => {
      const user = await ctx.createdUser();
      await expect(ctx.storage.lockouts.compareAndSet(1, aLockout(user.id, { version: 1 }))).rejects.toThrow(
        RangeError,
      );
    });

    it('reset clears the counters and bumps the version, so older writers lose', async () => {
      const user = await ctx.createdUser();
      expect(await ctx.storage.lockouts.compareAndSet(0, aLockout(user.id, { version: 1 }))).toBe(true);
      const locked = aLockout(user.id, {
        failedCount: 0,
        lockLevel: 2,
        lockedUntil: at(60_000),
        totalFailures: 100,
        version: 2,
      });
      expect(await ctx.storage.lockouts.compareAndSet(1, locked)).toBe(true);
      expect((await ctx.storage.lockouts.find(user.id))?.totalFailures).toBe(100);
      await ctx.storage.lockouts.reset(user.id);
      expect(await ctx.storage.lockouts.find(user.id)).toEqual({
        userId: user.id,
        failedCount: 0,
        lockLevel: 0,
        lockedUntil: null,
        totalFailures: 0,
        version: 3,
      });
      expect(await ctx.storage.lockouts.compareAndSet(2, aLockout(user.id, { failedCount: 5, version: 3 }))).toBe(
        false,
      );
      expect(await ctx.storage.lockouts.compareAndSet(3, aLockout(user.id, { failedCount: 1, version: 4 }))).toBe(true);
    });

    it('serialised updates of one row, all at once, are each applied: none lost, none refused', async () => {
      const user = await ctx.createdUser();
      const increments = Array.from({ length: 40 }, () =>
        ctx.storage.lockouts.updateSerialized(user.id, (current) => {
          const state = current ?? aLockout(user.id, { failedCount: 0, totalFailures: 0, version: 0 });
          const next = { ...state, failedCount: state.failedCount + 1, version: state.version + 1 };
          return { next, result: next.failedCount };
        }),
      );
      const seen = await Promise.all(increments);
      // Each saw the one before it: 1, 2, …, 40 in some order.
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(await ctx.storage.lockouts.find(user.id)).toMatchObject({ failedCount: 40, version: 40 });
    });

    it('a serialised update that writes nothing, or throws, leaves the row as it was', async () => {
      const user = await ctx.createdUser();
      const first = aLockout(user.id, { failedCount: 3, version: 1 });
      expect(await ctx.storage.lockouts.compareAndSet(0, first)).toBe(true);
      expect(
        await ctx.storage.lockouts.updateSerialized(user.id, (current) => ({ result: current?.failedCount })),
      ).toBe(3);
      await expect(
        ctx.storage.lockouts.updateSerialized(user.id, () => {
          throw new RangeError('refused');
        }),
      ).rejects.toThrow('refused');
      expect(await ctx.storage.lockouts.find(user.id)).toEqual(first);
    });

    it('reset of a user without a row does nothing', async () => {
      const user = await ctx.createdUser();
      await ctx.storage.lockouts.reset(user.id);
      expect(await ctx.storage.lockouts.find(user.id)).toBeUndefined();
    });
  });
}
