import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aThrottle, at } from '../record-factories.js';
import type { ContractContext } from './context.js';

/** Failure budgets by key and their compare-and-set. */
export function describeThrottleContract(ctx: ContractContext): void {
  describe('throttles', () => {
    it('inserts with expected version 0, and a second insert loses', async () => {
      const key = `password:${randomUUID()}`;
      expect(await ctx.storage.throttles.find(key)).toBeUndefined();
      const first = aThrottle(key, { windowStartedAt: at(1_234) });
      expect(await ctx.storage.throttles.compareAndSet(0, first)).toBe(true);
      expect(await ctx.storage.throttles.find(key)).toEqual(first);
      expect(await ctx.storage.throttles.compareAndSet(0, aThrottle(key, { failures: 9 }))).toBe(false);
      expect(await ctx.storage.throttles.find(key)).toEqual(first);
      expect(await ctx.storage.throttles.find(`${key}-other`)).toBeUndefined();
    });

    it('updates only from the expected version; a version that does not move forward is refused', async () => {
      const key = `ip:${randomUUID()}`;
      expect(await ctx.storage.throttles.compareAndSet(0, aThrottle(key))).toBe(true);
      const blocked = aThrottle(key, { failures: 6, level: 1, blockedUntil: at(300_007), version: 2 });
      expect(await ctx.storage.throttles.compareAndSet(1, blocked)).toBe(true);
      expect(await ctx.storage.throttles.find(key)).toEqual(blocked);
      expect(await ctx.storage.throttles.compareAndSet(1, aThrottle(key, { failures: 2, version: 2 }))).toBe(false);
      expect(await ctx.storage.throttles.find(key)).toEqual(blocked);
      await expect(ctx.storage.throttles.compareAndSet(2, aThrottle(key, { version: 2 }))).rejects.toThrow(RangeError);
    });

    it('of concurrent first failures exactly one insert wins', async () => {
      const key = `race:${randomUUID()}`;
      const storages = await ctx.connections({ transactions: false });
      const wins = await ctx.race(storages, (storage, i) =>
        storage.throttles.compareAndSet(0, aThrottle(key, { failures: i + 1 })),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('reset clears the budget and bumps the version, so older writers lose', async () => {
      const key = `recovery:${randomUUID()}`;
      expect(await ctx.storage.throttles.compareAndSet(0, aThrottle(key))).toBe(true);
      const blocked = aThrottle(key, {
        failures: 0,
        level: 2,
        blockedUntil: at(60_000),
        windowStartedAt: at(1),
        version: 2,
      });
      expect(await ctx.storage.throttles.compareAndSet(1, blocked)).toBe(true);
      await ctx.storage.throttles.reset(key);
      expect(await ctx.storage.throttles.find(key)).toEqual({
        key,
        failures: 0,
        level: 0,
        blockedUntil: null,
        windowStartedAt: null,
        version: 3,
      });
      expect(await ctx.storage.throttles.compareAndSet(2, aThrottle(key, { failures: 5, version: 3 }))).toBe(false);
      await ctx.storage.throttles.reset('no such key');
      expect(await ctx.storage.throttles.find('no such key')).toBeUndefined();
    });
  });
}
