import { describe, expect, it } from 'vitest';
import {
  aDeliveredCode,
  aFlow,
  anActiveFactor,
  aPendingFactor,
  aSuccessToken,
  at,
  aUser,
  NO_SEND_LIMITS,
} from '../record-factories.js';
import { CALLERS, type ContractContext } from './context.js';

const NEXT = { state: 'done', data: '{"confirmed":true}', attempts: 0 };

class Refused extends Error {}

/** Storage.transaction: several writes through several repositories, all or none. */
export function describeUnitOfWorkContract(ctx: ContractContext): void {
  describe('unit of work', () => {
    /** A user in the middle of enrolling TOTP: a pending factor and the flow at version 1. */
    async function enrolling() {
      const user = await ctx.createdUser();
      const factor = aPendingFactor(user.id);
      await ctx.storage.factors.insertPending(factor);
      const flow = aFlow(user.id, { kind: 'enable', state: 'awaiting_code' });
      await ctx.storage.flows.insert(flow);
      return { user, factor, flow };
    }

    it('keeps every write of a unit of work that resolves, and returns its result', async () => {
      const { user, factor, flow } = await enrolling();
      const result = await ctx.storage.transaction(async (repos) => {
        expect(await repos.flows.updateIfVersion(flow.id, 1, NEXT)).toBe(true);
        expect(await repos.factors.activate(factor.id, at(1_000), 59_000_000)).toBe(true);
        return 'confirmed';
      });
      expect(result).toBe('confirmed');
      expect(await ctx.storage.flows.findById(flow.id)).toEqual({ ...flow, ...NEXT, version: 2 });
      expect(await ctx.storage.factors.findActive(user.id, 'totp')).toEqual({
        ...factor,
        status: 'active',
        activatedAt: at(1_000),
        expiresAt: null,
        details: { ...factor.details, lastUsedStep: 59_000_000 },
      });
    });

    it('leaves none of the writes of a unit of work that throws, and rethrows', async () => {
      const { user, factor, flow } = await enrolling();
      const failure = new Error('the confirmation could not be recorded');
      await expect(
        ctx.storage.transaction(async (repos) => {
          expect(await repos.flows.updateIfVersion(flow.id, 1, NEXT)).toBe(true);
          expect(await repos.factors.activate(factor.id, at(1_000), 59_000_000)).toBe(true);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await ctx.storage.flows.findById(flow.id)).toEqual(flow);
      expect(await ctx.storage.factors.findById(factor.id)).toEqual(factor);
      expect(await ctx.storage.factors.findActive(user.id, 'totp')).toBeUndefined();
      // The storage is usable afterwards, on the same connection on SQLite.
      expect(await ctx.storage.factors.activate(factor.id, at(2_000), null)).toBe(true);
    });

    it('uses a success token, moves a flow on and removes a factor together, or not at all', async () => {
      const { user } = await enrolling();
      const factor = anActiveFactor(user.id, { kind: 'totp' });
      expect(await ctx.storage.factors.insertActive(factor)).toBe('inserted');
      const token = aSuccessToken(user.id, { operation: 'disable_factor', target: factor.id });
      await ctx.storage.successTokens.insert(token);
      const flow = aFlow(user.id, { kind: 'disable' });
      await ctx.storage.flows.insert(flow);
      const disable = (fail: boolean) =>
        ctx.storage.transaction(async (repos) => {
          expect(await repos.successTokens.consume(token.tokenHash, token.operation, token.target, at(1))).toBe(
            user.id,
          );
          expect(await repos.flows.updateIfVersion(flow.id, 1, NEXT)).toBe(true);
          expect(await repos.factors.delete(factor.id)).toBe(true);
          if (fail) throw new Refused();
        });

      await expect(disable(true)).rejects.toBeInstanceOf(Refused);
      expect(await ctx.storage.factors.findById(factor.id)).toEqual(factor);
      expect((await ctx.storage.flows.findById(flow.id))?.version).toBe(1);

      await disable(false);
      expect(await ctx.storage.factors.findById(factor.id)).toBeUndefined();
      expect((await ctx.storage.flows.findById(flow.id))?.version).toBe(2);
      expect(await ctx.storage.successTokens.consume(token.tokenHash, token.operation, token.target, at(2))).toBe(
        undefined,
      );
    });

    it('sees its own writes inside, through the hot lookups too', async () => {
      const user = await ctx.createdUser();
      const factor = anActiveFactor(user.id, { kind: 'totp' });
      await ctx.storage.transaction(async (repos) => {
        expect(await repos.factors.insertActive(factor)).toBe('inserted');
        expect(await repos.factors.findActive(user.id, 'totp')).toEqual(factor);
        expect(await repos.factors.recordUsedStep(factor.id, 7)).toBe(true);
        expect(await repos.factors.recordUsedStep(factor.id, 7)).toBe(false);
        const found = await repos.factors.findActiveByUsername(user.username, 'totp');
        expect(found?.factor?.details.lastUsedStep).toBe(7);
        expect(await repos.lockouts.find(user.id)).toBeUndefined();
      });
      expect((await ctx.storage.factors.findActive(user.id, 'totp'))?.details.lastUsedStep).toBe(7);
    });

    it('keeps a used step with its failures reset all or nothing inside, and goes on', async () => {
      const user = await ctx.createdUser();
      const factor = anActiveFactor(user.id, { kind: 'totp' });
      const failed = { userId: user.id, failedCount: 2, lockLevel: 0, lockedUntil: null, totalFailures: 2, version: 1 };
      await ctx.storage.transaction(async (repos) => {
        expect(await repos.factors.insertActive(factor)).toBe('inserted');
        expect(await repos.lockouts.compareAndSet(0, failed)).toBe(true);
        const stale = { userId: user.id, expectedVersion: 4 };
        expect(await repos.factors.recordUsedStepClearingFailures(factor.id, 8, stale)).toBe('lockout_changed');
        expect((await repos.factors.findActive(user.id, 'totp'))?.details.lastUsedStep).toBeNull();
        const current = { userId: user.id, expectedVersion: 1 };
        expect(await repos.factors.recordUsedStepClearingFailures(factor.id, 8, current)).toBe('recorded');
      });
      expect((await ctx.storage.factors.findActive(user.id, 'totp'))?.details.lastUsedStep).toBe(8);
      expect((await ctx.storage.lockouts.find(user.id))?.failedCount).toBe(0);
    });

    it('undoes a failed repository call alone, and the unit of work goes on', async () => {
      const { user, factor, flow } = await enrolling();
      const active = anActiveFactor(user.id);
      expect(await ctx.storage.factors.insertActive(active)).toBe('inserted');
      await ctx.storage.transaction(async (repos) => {
        // Clashes the repositories report as results: on PostgreSQL the failed statement must
        // not take the transaction down with it.
        expect(await repos.factors.insertActive(anActiveFactor(user.id))).toBe('already_active');
        expect(await repos.users.create(aUser({ username: user.username }))).toBe('username_taken');
        // A call that throws takes its own writes back: here the replaced pending factor.
        const broken = aPendingFactor(user.id, { details: { sealedSecret: null as unknown as string } });
        await expect(repos.factors.insertPending(broken)).rejects.toThrow();
        expect(await repos.factors.findById(factor.id)).toEqual(factor);
        expect(await repos.flows.updateIfVersion(flow.id, 1, NEXT)).toBe(true);
      });
      expect((await ctx.storage.flows.findById(flow.id))?.version).toBe(2);
      expect(await ctx.storage.factors.findById(factor.id)).toEqual(factor);
      expect(await ctx.storage.factors.listByUser(user.id)).toHaveLength(2);
    });

    it('checks send limits inside, and a code recorded there goes with the rest', async () => {
      const user = await ctx.createdUser();
      const code = aDeliveredCode(user.id);
      await expect(
        ctx.storage.transaction(async (repos) => {
          expect(await repos.deliveredCodes.insertWithinLimits(code, NO_SEND_LIMITS)).toBeUndefined();
          const again = aDeliveredCode(user.id, { recipientHash: code.recipientHash });
          expect(await repos.deliveredCodes.insertWithinLimits(again, { cooldownSeconds: 60, hourlyLimit: 5 })).toEqual(
            { reason: 'cooldown', retryAt: at(60_000) },
          );
          throw new Refused();
        }),
      ).rejects.toBeInstanceOf(Refused);
      expect(await ctx.storage.deliveredCodes.findById(code.id)).toBeUndefined();
    });

    it(`lets exactly one of ${CALLERS} concurrent units of work on one flow move it on, without deadlock`, async () => {
      const { user, factor, flow } = await enrolling();
      const results = await ctx.race(await ctx.connections({ transactions: true }), (s) =>
        s
          .transaction(async (repos) => {
            if (!(await repos.flows.updateIfVersion(flow.id, 1, NEXT))) throw new Refused();
            expect(await repos.factors.activate(factor.id, at(1), null)).toBe(true);
            return 'won';
          })
          .catch((error: unknown) => {
            if (error instanceof Refused) return 'lost';
            throw error;
          }),
      );
      expect(results.filter((result) => result === 'won')).toHaveLength(1);
      expect(results.filter((result) => result === 'lost')).toHaveLength(CALLERS - 1);
      expect((await ctx.storage.flows.findById(flow.id))?.version).toBe(2);
      expect((await ctx.storage.factors.findActive(user.id, 'totp'))?.id).toBe(factor.id);
    });

    it(`commits ${CALLERS} concurrent units of work for different users`, async () => {
      const users = Array.from({ length: CALLERS }, () => aUser());
      await ctx.race(await ctx.connections({ transactions: true }), (s, i) =>
        s.transaction(async (repos) => {
          const user = users[i]!;
          expect(await repos.users.create(user)).toBe('created');
          expect(await repos.factors.insertActive(anActiveFactor(user.id))).toBe('inserted');
          await repos.flows.insert(aFlow(user.id));
        }),
      );
      for (const user of users) expect(await ctx.storage.factors.activeKinds(user.id)).toEqual(['backup_codes']);
    });
  });
}
