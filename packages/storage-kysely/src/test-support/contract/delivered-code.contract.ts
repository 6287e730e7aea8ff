import { describe, expect, it } from 'vitest';
import { aDeliveredCode, at, T0 } from '../record-factories.js';
import { CALLERS, type ContractContext, recordCode } from './context.js';

/** Codes sent by SMS or e-mail: send limits, use, tries, and their races. */
export function describeDeliveredCodeContract(ctx: ContractContext): void {
  describe('delivered codes', () => {
    it('stores a code and reads it back exactly', async () => {
      const user = await ctx.createdUser();
      const code = aDeliveredCode(user.id, { channel: 'email', purpose: 'challenge', attempts: 2, maxAttempts: 3 });
      await recordCode(ctx, code);
      expect(await ctx.storage.deliveredCodes.findById(code.id)).toEqual(code);
      expect(await ctx.storage.deliveredCodes.findById('not a uuid')).toBeUndefined();
    });

    it('consumes the right code once, recording the time', async () => {
      const user = await ctx.createdUser();
      const code = aDeliveredCode(user.id);
      await recordCode(ctx, code);
      expect(await ctx.storage.deliveredCodes.consume(code.id, 'hash-wrong', at(1_000))).toBe(false);
      expect(await ctx.storage.deliveredCodes.consume(code.id, code.codeHash, at(2_000))).toBe(true);
      expect(await ctx.storage.deliveredCodes.consume(code.id, code.codeHash, at(3_000))).toBe(false);
      expect(await ctx.storage.deliveredCodes.findById(code.id)).toEqual({ ...code, consumedAt: at(2_000) });
      expect(await ctx.storage.deliveredCodes.consume('nobody', code.codeHash, at(1))).toBe(false);
    });

    it('refuses a code at or after its expiry', async () => {
      const user = await ctx.createdUser();
      const code = aDeliveredCode(user.id, { expiresAt: at(60_000) });
      await recordCode(ctx, code);
      expect(await ctx.storage.deliveredCodes.consume(code.id, code.codeHash, at(60_000))).toBe(false);
      expect(await ctx.storage.deliveredCodes.consume(code.id, code.codeHash, at(60_001))).toBe(false);
      expect(await ctx.storage.deliveredCodes.consume(code.id, code.codeHash, at(59_999))).toBe(true);
    });

    it('refuses a code without tries left, even the right one', async () => {
      const user = await ctx.createdUser();
      const code = aDeliveredCode(user.id, { attempts: 3, maxAttempts: 3 });
      await recordCode(ctx, code);
      expect(await ctx.storage.deliveredCodes.consume(code.id, code.codeHash, at(1))).toBe(false);
      expect((await ctx.storage.deliveredCodes.findById(code.id))?.consumedAt).toBeNull();
    });

    it('counts wrong tries up to the maximum, then no more', async () => {
      const user = await ctx.createdUser();
      const code = aDeliveredCode(user.id, { maxAttempts: 3 });
      await recordCode(ctx, code);
      expect(await ctx.storage.deliveredCodes.recordFailedAttempt(code.id)).toBe(1);
      expect(await ctx.storage.deliveredCodes.recordFailedAttempt(code.id)).toBe(2);
      expect(await ctx.storage.deliveredCodes.recordFailedAttempt(code.id)).toBe(3);
      expect(await ctx.storage.deliveredCodes.recordFailedAttempt(code.id)).toBeUndefined();
      expect((await ctx.storage.deliveredCodes.findById(code.id))?.attempts).toBe(3);
      expect(await ctx.storage.deliveredCodes.recordFailedAttempt('nobody')).toBeUndefined();
    });

    it('does not count a try on a used code', async () => {
      const user = await ctx.createdUser();
      const code = aDeliveredCode(user.id);
      await recordCode(ctx, code);
      expect(await ctx.storage.deliveredCodes.consume(code.id, code.codeHash, at(1))).toBe(true);
      expect(await ctx.storage.deliveredCodes.recordFailedAttempt(code.id)).toBeUndefined();
      expect((await ctx.storage.deliveredCodes.findById(code.id))?.attempts).toBe(0);
    });

    it('invalidates a code, keeping the time a used code was used', async () => {
      const user = await ctx.createdUser();
      const code = aDeliveredCode(user.id);
      const used = aDeliveredCode(user.id);
      await recordCode(ctx, code);
      await recordCode(ctx, used);
      expect(await ctx.storage.deliveredCodes.consume(used.id, used.codeHash, at(1_000))).toBe(true);
      await ctx.storage.deliveredCodes.invalidate(code.id, at(2_000));
      await ctx.storage.deliveredCodes.invalidate(used.id, at(2_000));
      expect((await ctx.storage.deliveredCodes.findById(code.id))?.consumedAt).toEqual(at(2_000));
      expect((await ctx.storage.deliveredCodes.findById(used.id))?.consumedAt).toEqual(at(1_000));
      expect(await ctx.storage.deliveredCodes.consume(code.id, code.codeHash, at(3_000))).toBe(false);
      await expect(ctx.storage.deliveredCodes.invalidate('nobody', at(1))).resolves.toBeUndefined();
    });

    async function storedSends(recipientHash: string): Promise<number> {
      const { count } = await ctx.storage.db
        .selectFrom('delivered_codes')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('recipient_hash', '=', recipientHash)
        .executeTakeFirstOrThrow();
      return Number(count);
    }

    it("counts the sends to the recipient in the hour before the new one, the hour's start included", async () => {
      const user = await ctx.createdUser();
      const recipientHash = 'recipient-a';
      for (const sentAt of [at(-7_200_000), at(-3_600_000), at(-60_000), at(-1)]) {
        await recordCode(ctx, aDeliveredCode(user.id, { recipientHash, sentAt }));
      }
      // Another recipient, later than all of them: must not count.
      await recordCode(ctx, aDeliveredCode(user.id, { recipientHash: 'recipient-b', sentAt: T0 }));
      const limits = { cooldownSeconds: 0, hourlyLimit: 3 };

      // From T0 the hour reaches back to at(-3_600_000): three sends, the limit.
      const refused = aDeliveredCode(user.id, { recipientHash, sentAt: T0 });
      expect(await ctx.storage.deliveredCodes.insertWithinLimits(refused, limits)).toEqual({ reason: 'hourly_limit' });
      expect(await ctx.storage.deliveredCodes.findById(refused.id)).toBeUndefined();
      // A millisecond later the oldest of the three is out of the hour.
      const accepted = aDeliveredCode(user.id, { recipientHash, sentAt: at(1) });
      expect(await ctx.storage.deliveredCodes.insertWithinLimits(accepted, limits)).toBeUndefined();
      expect(await ctx.storage.deliveredCodes.findById(accepted.id)).toEqual(accepted);
      expect(await storedSends(recipientHash)).toBe(5);
      // A recipient never sent to is under any limit.
      const first = aDeliveredCode(user.id, { recipientHash: 'recipient-none' });
      expect(await ctx.storage.deliveredCodes.insertWithinLimits(first, { cooldownSeconds: 60, hourlyLimit: 1 })).toBe(
        undefined,
      );
    });

    it('refuses a send within the cooldown of the latest one, saying when to ask again', async () => {
      const user = await ctx.createdUser();
      const recipientHash = 'recipient-a';
      await recordCode(ctx, aDeliveredCode(user.id, { recipientHash, sentAt: at(-90_000) }));
      await recordCode(ctx, aDeliveredCode(user.id, { recipientHash, sentAt: at(-1_000) }));
      const limits = { cooldownSeconds: 60, hourlyLimit: 10 };
      const early = aDeliveredCode(user.id, { recipientHash, sentAt: T0 });
      expect(await ctx.storage.deliveredCodes.insertWithinLimits(early, limits)).toEqual({
        reason: 'cooldown',
        retryAt: at(59_000),
      });
      expect(await ctx.storage.deliveredCodes.findById(early.id)).toBeUndefined();
      const onTime = aDeliveredCode(user.id, { recipientHash, sentAt: at(59_000) });
      expect(await ctx.storage.deliveredCodes.insertWithinLimits(onTime, limits)).toBeUndefined();
    });

    it('counts the cooldown from the latest send even when it is older than the hour', async () => {
      const user = await ctx.createdUser();
      const recipientHash = 'recipient-a';
      await recordCode(ctx, aDeliveredCode(user.id, { recipientHash, sentAt: at(-3_600_001) }));
      const code = aDeliveredCode(user.id, { recipientHash, sentAt: T0 });
      expect(
        await ctx.storage.deliveredCodes.insertWithinLimits(code, { cooldownSeconds: 7_200, hourlyLimit: 10 }),
      ).toEqual({ reason: 'cooldown', retryAt: at(3_599_999) });
    });

    it('reports the cooldown when both limits refuse', async () => {
      const user = await ctx.createdUser();
      const recipientHash = 'recipient-a';
      await recordCode(ctx, aDeliveredCode(user.id, { recipientHash, sentAt: at(-1_000) }));
      const code = aDeliveredCode(user.id, { recipientHash, sentAt: T0 });
      expect(
        await ctx.storage.deliveredCodes.insertWithinLimits(code, { cooldownSeconds: 60, hourlyLimit: 1 }),
      ).toEqual({ reason: 'cooldown', retryAt: at(59_000) });
    });

    it('discards a code, which then no longer counts against the limits', async () => {
      const user = await ctx.createdUser();
      const recipientHash = 'recipient-a';
      const limits = { cooldownSeconds: 60, hourlyLimit: 1 };
      const unsent = aDeliveredCode(user.id, { recipientHash });
      const other = aDeliveredCode(user.id);
      expect(await ctx.storage.deliveredCodes.insertWithinLimits(unsent, limits)).toBeUndefined();
      expect(await ctx.storage.deliveredCodes.insertWithinLimits(other, limits)).toBeUndefined();
      const retry = aDeliveredCode(user.id, { recipientHash, sentAt: at(1_000) });
      expect((await ctx.storage.deliveredCodes.insertWithinLimits(retry, limits))?.reason).toBe('cooldown');
      await ctx.storage.deliveredCodes.discard(unsent.id);
      expect(await ctx.storage.deliveredCodes.findById(unsent.id)).toBeUndefined();
      expect(await ctx.storage.deliveredCodes.findById(other.id)).toEqual(other);
      expect(await ctx.storage.deliveredCodes.insertWithinLimits(retry, limits)).toBeUndefined();
      await expect(ctx.storage.deliveredCodes.discard('nobody')).resolves.toBeUndefined();
    });

    it(`records exactly 5 of ${CALLERS} concurrent sends to one recipient under an hourly limit of 5`, async () => {
      const user = await ctx.createdUser();
      const recipientHash = 'recipient-a';
      const limits = { cooldownSeconds: 0, hourlyLimit: 5 };
      const results = await ctx.race(await ctx.connections({ transactions: true }), (s) =>
        s.deliveredCodes.insertWithinLimits(aDeliveredCode(user.id, { recipientHash }), limits),
      );
      expect(results.filter((result) => result === undefined)).toHaveLength(5);
      expect(results.filter((result) => result?.reason === 'hourly_limit')).toHaveLength(CALLERS - 5);
      expect(await storedSends(recipientHash)).toBe(5);
    });

    it(`records exactly 1 of ${CALLERS} concurrent sends to one recipient under a cooldown`, async () => {
      const user = await ctx.createdUser();
      const recipientHash = 'recipient-a';
      const limits = { cooldownSeconds: 60, hourlyLimit: 100 };
      const results = await ctx.race(await ctx.connections({ transactions: true }), (s) =>
        s.deliveredCodes.insertWithinLimits(aDeliveredCode(user.id, { recipientHash }), limits),
      );
      expect(results.filter((result) => result === undefined)).toHaveLength(1);
      const refusals = results.filter((result) => result !== undefined);
      expect(refusals).toEqual(Array(CALLERS - 1).fill({ reason: 'cooldown', retryAt: at(60_000) }));
      expect(await storedSends(recipientHash)).toBe(1);
    });

    it(`lets exactly one of ${CALLERS} concurrent uses of one code win`, async () => {
      const user = await ctx.createdUser();
      const storages = await ctx.connections({ transactions: false });
      for (let round = 0; round < 3; round++) {
        const code = aDeliveredCode(user.id, { maxAttempts: CALLERS });
        await recordCode(ctx, code);
        const results = await ctx.race(storages, (s) => s.deliveredCodes.consume(code.id, code.codeHash, at(round)));
        expect(results.filter(Boolean)).toHaveLength(1);
      }
    });

    it(`counts ${CALLERS} concurrent wrong tries one by one, never past the maximum`, async () => {
      const user = await ctx.createdUser();
      const code = aDeliveredCode(user.id, { maxAttempts: 5 });
      await recordCode(ctx, code);
      const counts = await ctx.race(await ctx.connections({ transactions: false }), (s) =>
        s.deliveredCodes.recordFailedAttempt(code.id),
      );
      expect(counts.filter((count) => count !== undefined).sort()).toEqual([1, 2, 3, 4, 5]);
      expect((await ctx.storage.deliveredCodes.findById(code.id))?.attempts).toBe(5);
    });
  });
}
