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

    it('keeps a cooldown per purpose; the hourly limit counts every purpose', async () => {
      const user = await ctx.createdUser();
      const recipientHash = 'recipient-a';
      await recordCode(ctx, aDeliveredCode(user.id, { recipientHash, purpose: 'sign_in', sentAt: at(-1_000) }));
      const limits = { cooldownSeconds: 60, hourlyLimit: 3 };
      const sameAgain = aDeliveredCode(user.id, { recipientHash, purpose: 'sign_in', sentAt: T0 });
      expect((await ctx.storage.deliveredCodes.insertWithinLimits(sameAgain, limits))?.reason).toBe('cooldown');
      for (const purpose of ['enable_sms', 'disable']) {
        const other = aDeliveredCode(user.id, { recipientHash, purpose, sentAt: T0 });
        expect(await ctx.storage.deliveredCodes.insertWithinLimits(other, limits)).toBeUndefined();
      }
      const fourth = aDeliveredCode(user.id, { recipientHash, purpose: 'recovery', sentAt: T0 });
      expect(await ctx.storage.deliveredCodes.insertWithinLimits(fourth, limits)).toEqual({ reason: 'hourly_limit' });
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

    describe('SMS limits per account and client address', () => {
      const sms = (userId: string, overrides: Parameters<typeof aDeliveredCode>[1] = {}) =>
        aDeliveredCode(userId, { channel: 'sms', ...overrides });

      it('stores the client address hash and reads it back', async () => {
        const user = await ctx.createdUser();
        const code = sms(user.id, { clientIpHash: 'client-a' });
        await recordCode(ctx, code);
        expect(await ctx.storage.deliveredCodes.findById(code.id)).toEqual(code);
      });

      it("counts the account's SMS codes in the hour before the new one, whatever the recipients", async () => {
        const user = await ctx.createdUser();
        for (const sentAt of [at(-3_600_001), at(-3_600_000), at(-60_000)])
          await recordCode(ctx, sms(user.id, { sentAt }));
        await recordCode(ctx, aDeliveredCode(user.id, { channel: 'email', sentAt: at(-1) }));
        const limits = { cooldownSeconds: 0, hourlyLimit: 100, accountHourlySmsLimit: 2 };
        const refused = sms(user.id);
        expect(await ctx.storage.deliveredCodes.insertWithinLimits(refused, limits)).toEqual({
          reason: 'account_hourly_limit',
        });
        expect(await ctx.storage.deliveredCodes.findById(refused.id)).toBeUndefined();
        // An e-mail code is not an SMS: it is not refused by the SMS limit.
        const email = aDeliveredCode(user.id, { channel: 'email' });
        expect(await ctx.storage.deliveredCodes.insertWithinLimits(email, limits)).toBeUndefined();
        // A millisecond later the code at the hour's start is out of it.
        expect(await ctx.storage.deliveredCodes.insertWithinLimits(sms(user.id, { sentAt: at(1) }), limits)).toBe(
          undefined,
        );
      });

      it('counts the different SMS recipients of the account in the day; a known recipient is not new', async () => {
        const user = await ctx.createdUser();
        const limits = { cooldownSeconds: 0, hourlyLimit: 100, accountDailySmsDestinations: 2 };
        await recordCode(ctx, sms(user.id, { recipientHash: 'old', sentAt: at(-86_400_001) }));
        await recordCode(ctx, sms(user.id, { recipientHash: 'r1', sentAt: at(-86_400_000) }));
        await recordCode(ctx, sms(user.id, { recipientHash: 'r1', sentAt: at(-1_000) }));
        await recordCode(ctx, sms(user.id, { recipientHash: 'r2', sentAt: at(-1_000) }));
        expect(
          await ctx.storage.deliveredCodes.insertWithinLimits(sms(user.id, { recipientHash: 'r3' }), limits),
        ).toEqual({ reason: 'account_destinations' });
        expect(
          await ctx.storage.deliveredCodes.insertWithinLimits(sms(user.id, { recipientHash: 'r2' }), limits),
        ).toBeUndefined();
        // Another account is not affected.
        const other = await ctx.createdUser();
        expect(
          await ctx.storage.deliveredCodes.insertWithinLimits(sms(other.id, { recipientHash: 'r3' }), limits),
        ).toBeUndefined();
        // Once r1's first code is more than a day old, r1 still counts by its later one: still refused.
        expect(
          await ctx.storage.deliveredCodes.insertWithinLimits(
            sms(user.id, { recipientHash: 'r4', sentAt: at(1) }),
            limits,
          ),
        ).toEqual({ reason: 'account_destinations' });
      });

      it('counts the different SMS recipients asked for from a client address in the day, across accounts', async () => {
        const limits = { cooldownSeconds: 0, hourlyLimit: 100, clientDailySmsDestinations: 2 };
        const [a, b, c] = [await ctx.createdUser(), await ctx.createdUser(), await ctx.createdUser()];
        await recordCode(ctx, sms(a.id, { recipientHash: 'r1', clientIpHash: 'client-x' }));
        await recordCode(ctx, sms(b.id, { recipientHash: 'r2', clientIpHash: 'client-x' }));
        expect(
          await ctx.storage.deliveredCodes.insertWithinLimits(
            sms(c.id, { recipientHash: 'r3', clientIpHash: 'client-x' }),
            limits,
          ),
        ).toEqual({ reason: 'client_destinations' });
        expect(
          await ctx.storage.deliveredCodes.insertWithinLimits(
            sms(c.id, { recipientHash: 'r1', clientIpHash: 'client-x' }),
            limits,
          ),
        ).toBeUndefined();
        expect(
          await ctx.storage.deliveredCodes.insertWithinLimits(
            sms(c.id, { recipientHash: 'r3', clientIpHash: 'client-y' }),
            limits,
          ),
        ).toBeUndefined();
        // No known address: the per-address limit cannot apply.
        expect(
          await ctx.storage.deliveredCodes.insertWithinLimits(
            sms(c.id, { recipientHash: 'r4', clientIpHash: null }),
            limits,
          ),
        ).toBeUndefined();
      });

      it(`records exactly 3 of ${CALLERS} concurrent sends by one account to different numbers under a limit of 3`, async () => {
        const user = await ctx.createdUser();
        const limits = { cooldownSeconds: 0, hourlyLimit: 100, accountDailySmsDestinations: 3 };
        const results = await ctx.race(await ctx.connections({ transactions: true }), (s) =>
          s.deliveredCodes.insertWithinLimits(sms(user.id), limits),
        );
        expect(results.filter((result) => result === undefined)).toHaveLength(3);
        expect(results.filter((result) => result?.reason === 'account_destinations')).toHaveLength(CALLERS - 3);
      });

      it(`records exactly 2 of ${CALLERS} concurrent sends from one address by different accounts under a limit of 2`, async () => {
        const users = await Promise.all(Array.from({ length: CALLERS }, () => ctx.createdUser()));
        const limits = { cooldownSeconds: 0, hourlyLimit: 100, clientDailySmsDestinations: 2 };
        const results = await ctx.race(await ctx.connections({ transactions: true }), (s, i) =>
          s.deliveredCodes.insertWithinLimits(sms(users[i]?.id ?? '', { clientIpHash: 'client-race' }), limits),
        );
        expect(results.filter((result) => result === undefined)).toHaveLength(2);
        expect(results.filter((result) => result?.reason === 'client_destinations')).toHaveLength(CALLERS - 2);
      });
    });
  });
}
