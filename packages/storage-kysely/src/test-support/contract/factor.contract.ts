import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { anActiveFactor, aPendingFactor, at, T0 } from '../record-factories.js';
import { CALLERS, type ContractContext } from './context.js';

/** Factors with their per-kind details, activation, used steps and concurrent inserts. */
export function describeFactorContract(ctx: ContractContext): void {
  describe('factors', () => {
    /** The stored last used step of a TOTP factor. */
    async function lastUsedStep(id: string): Promise<number | null> {
      const factor = await ctx.storage.factors.findById(id);
      if (factor?.kind !== 'totp') throw new Error(`expected TOTP factor ${id}, found ${factor?.kind}`);
      return factor.details.lastUsedStep;
    }

    async function detailRows(factorId: string): Promise<number> {
      const tables = ['factor_totp', 'factor_sms', 'factor_email', 'factor_backup_codes'] as const;
      let rows = 0;
      for (const table of tables) {
        rows += (await ctx.storage.db.selectFrom(table).select('factor_id').where('factor_id', '=', factorId).execute())
          .length;
      }
      return rows;
    }

    it('stores a pending factor of each kind with its details and reads it back exactly', async () => {
      const user = await ctx.createdUser();
      const factors = [
        aPendingFactor(user.id, { details: { algorithm: 'SHA512', digits: 8, period: 60, lastUsedStep: 3 } }),
        aPendingFactor(user.id, { kind: 'sms', details: { sealedPhone: 'v1.phone', maskedPhone: '+359********456' } }),
        aPendingFactor(user.id, { kind: 'email', details: { maskedEmail: 'j***@example.com' } }),
        aPendingFactor(user.id, { kind: 'backup_codes', details: { count: 12, digits: 10 } }),
      ];
      for (const factor of factors) await ctx.storage.factors.insertPending(factor);
      for (const factor of factors) {
        expect(await ctx.storage.factors.findById(factor.id)).toEqual(factor);
        expect(await ctx.storage.factors.findPending(user.id, factor.kind)).toEqual(factor);
        expect(await detailRows(factor.id)).toBe(1);
      }
      expect(await ctx.storage.factors.listByUser(user.id)).toEqual(expect.arrayContaining(factors));
      expect(await ctx.storage.factors.findById('not a uuid')).toBeUndefined();
    });

    it('stores an active factor of each kind and finds it by user and by username with its details', async () => {
      const user = await ctx.createdUser();
      const factors = [
        anActiveFactor(user.id, { kind: 'totp', details: { lastUsedStep: 42 } }),
        anActiveFactor(user.id, { kind: 'sms' }),
        anActiveFactor(user.id, { kind: 'email' }),
        anActiveFactor(user.id, { kind: 'backup_codes' }),
      ];
      for (const factor of factors) expect(await ctx.storage.factors.insertActive(factor)).toBe('inserted');
      for (const factor of factors) {
        expect(await ctx.storage.factors.findActive(user.id, factor.kind)).toEqual(factor);
        expect(await ctx.storage.factors.findActiveByUsername(user.username, factor.kind)).toEqual({
          userId: user.id,
          disabled: false,
          factor,
        });
        expect(await ctx.storage.factors.findPending(user.id, factor.kind)).toBeUndefined();
      }
    });

    it('findPending returns the pending factor of the kind, expired or not, and nothing else', async () => {
      const { user } = await ctx.activeTotp();
      expect(await ctx.storage.factors.findPending(user.id, 'totp')).toBeUndefined();
      const expired = aPendingFactor(user.id, { kind: 'sms', expiresAt: new Date(0) });
      await ctx.storage.factors.insertPending(expired);
      expect(await ctx.storage.factors.findPending(user.id, 'sms')).toEqual(expired);
      expect(await ctx.storage.factors.findPending(user.id, 'email')).toBeUndefined();
      expect(await ctx.storage.factors.findPending((await ctx.createdUser()).id, 'sms')).toBeUndefined();
    });

    it('refuses to read a factor whose details row is missing', async () => {
      const { user, factor } = await ctx.activeTotp();
      await ctx.storage.db.deleteFrom('factor_totp').where('factor_id', '=', factor.id).execute();
      await expect(ctx.storage.factors.findById(factor.id)).rejects.toThrow(/factor_totp/);
      await expect(ctx.storage.factors.findActive(user.id, 'totp')).rejects.toThrow(/factor_totp/);
      await expect(ctx.storage.factors.findActiveByUsername(user.username, 'totp')).rejects.toThrow(/factor_totp/);
    });

    it('stores neither row when the details cannot be stored, keeping the pending factor it would replace', async () => {
      const user = await ctx.createdUser();
      const older = aPendingFactor(user.id);
      await ctx.storage.factors.insertPending(older);
      // A key the method failed to seal: the details table refuses it.
      const broken = aPendingFactor(user.id, { details: { sealedSecret: null as unknown as string } });
      await expect(ctx.storage.factors.insertPending(broken)).rejects.toThrow();
      expect(await ctx.storage.factors.findById(broken.id)).toBeUndefined();
      expect(await ctx.storage.factors.findById(older.id)).toEqual(older);
      const brokenActive = anActiveFactor(user.id, {
        kind: 'email',
        details: { maskedEmail: null as unknown as string },
      });
      await expect(ctx.storage.factors.insertActive(brokenActive)).rejects.toThrow();
      expect(await ctx.storage.factors.findById(brokenActive.id)).toBeUndefined();
      expect(await ctx.storage.factors.activeKinds(user.id)).toEqual([]);
    });

    it('insertPending replaces an older pending factor of the same kind, and only that', async () => {
      const user = await ctx.createdUser();
      const other = await ctx.createdUser();
      const older = aPendingFactor(user.id);
      const othersPending = aPendingFactor(other.id);
      await ctx.storage.factors.insertPending(older);
      await ctx.storage.factors.insertPending(othersPending);
      const newer = aPendingFactor(user.id, { createdAt: at(60_000) });
      await ctx.storage.factors.insertPending(newer);
      expect(await ctx.storage.factors.findById(older.id)).toBeUndefined();
      expect(await detailRows(older.id)).toBe(0);
      expect(await ctx.storage.factors.findById(newer.id)).toEqual(newer);
      expect(await ctx.storage.factors.findById(othersPending.id)).toEqual(othersPending);
    });

    it('insertPending keeps the active factor of the kind', async () => {
      const { user, factor } = await ctx.activeTotp();
      const replacement = aPendingFactor(user.id, { createdAt: at(60_000) });
      await ctx.storage.factors.insertPending(replacement);
      expect((await ctx.storage.factors.findById(factor.id))?.status).toBe('active');
      expect((await ctx.storage.factors.findById(replacement.id))?.status).toBe('pending');
    });

    it('insertPending refuses a factor that is not pending', async () => {
      const user = await ctx.createdUser();
      await expect(ctx.storage.factors.insertPending(aPendingFactor(user.id, { status: 'active' }))).rejects.toThrow();
    });

    it('activates a pending factor once, recording the time and the used step', async () => {
      const user = await ctx.createdUser();
      const factor = aPendingFactor(user.id);
      await ctx.storage.factors.insertPending(factor);
      const now = at(2_345);
      expect(await ctx.storage.factors.activate(factor.id, now, 58_000_123)).toBe(true);
      expect(await ctx.storage.factors.findById(factor.id)).toEqual({
        ...factor,
        status: 'active',
        activatedAt: now,
        expiresAt: null,
        details: { ...factor.details, lastUsedStep: 58_000_123 },
      });
      expect(await ctx.storage.factors.activate(factor.id, at(9_999), 58_000_124)).toBe(false);
      expect((await ctx.storage.factors.findById(factor.id))?.activatedAt).toEqual(now);
    });

    it('activate without a used step keeps the stored one', async () => {
      const user = await ctx.createdUser();
      const factor = aPendingFactor(user.id, { details: { lastUsedStep: 7 } });
      await ctx.storage.factors.insertPending(factor);
      expect(await ctx.storage.factors.activate(factor.id, at(1), null)).toBe(true);
      expect(await lastUsedStep(factor.id)).toBe(7);
    });

    it('activates a factor of another kind, which has no step to record', async () => {
      const user = await ctx.createdUser();
      const factor = aPendingFactor(user.id, { kind: 'sms' });
      await ctx.storage.factors.insertPending(factor);
      expect(await ctx.storage.factors.activate(factor.id, at(1), 58_000_123)).toBe(true);
      expect(await ctx.storage.factors.findActive(user.id, 'sms')).toEqual({
        ...factor,
        status: 'active',
        activatedAt: at(1),
        expiresAt: null,
      });
    });

    it('activate is false for an unknown factor', async () => {
      expect(await ctx.storage.factors.activate('00000000-0000-0000-0000-000000000000', T0, null)).toBe(false);
    });

    it('allows one active factor per user and kind: a second activation returns false', async () => {
      const { user, factor } = await ctx.activeTotp();
      const second = aPendingFactor(user.id, { createdAt: at(60_000) });
      await ctx.storage.factors.insertPending(second);
      expect(await ctx.storage.factors.activate(second.id, at(61_000), 5)).toBe(false);
      expect((await ctx.storage.factors.findById(second.id))?.status).toBe('pending');
      expect((await ctx.storage.factors.findActive(user.id, 'totp'))?.id).toBe(factor.id);
      // Another user's factor is not affected by the rule.
      const other = await ctx.createdUser();
      const othersFactor = aPendingFactor(other.id);
      await ctx.storage.factors.insertPending(othersFactor);
      expect(await ctx.storage.factors.activate(othersFactor.id, at(1), null)).toBe(true);
    });

    it('hasActive and findActive see only active factors', async () => {
      const user = await ctx.createdUser();
      const factor = aPendingFactor(user.id);
      await ctx.storage.factors.insertPending(factor);
      expect(await ctx.storage.factors.hasActive(user.id)).toBe(false);
      expect(await ctx.storage.factors.findActive(user.id, 'totp')).toBeUndefined();
      expect(await ctx.storage.factors.activate(factor.id, at(1), null)).toBe(true);
      expect(await ctx.storage.factors.hasActive(user.id)).toBe(true);
      expect((await ctx.storage.factors.findActive(user.id, 'totp'))?.id).toBe(factor.id);
    });

    it('findActiveByUsername returns the user and only an active factor, in one lookup', async () => {
      const user = await ctx.createdUser();
      const factor = aPendingFactor(user.id);
      await ctx.storage.factors.insertPending(factor);
      expect(await ctx.storage.factors.findActiveByUsername(user.username, 'totp')).toEqual({
        userId: user.id,
        disabled: false,
        factor: undefined,
      });
      expect(await ctx.storage.factors.activate(factor.id, at(1), null)).toBe(true);
      const found = await ctx.storage.factors.findActiveByUsername(user.username, 'totp');
      expect(found).toEqual({
        userId: user.id,
        disabled: false,
        factor: await ctx.storage.factors.findActive(user.id, 'totp'),
      });
      expect(found?.factor?.status).toBe('active');
      expect(await ctx.storage.factors.findActiveByUsername('nobody', 'totp')).toBeUndefined();
    });

    it('findActiveByUsername and findActiveByExternalId bring the account’s lockout row, as find reads it', async () => {
      const user = await ctx.createdUser({ externalId: `ext-${randomUUID()}` });
      const factor = aPendingFactor(user.id);
      await ctx.storage.factors.insertPending(factor);
      expect(await ctx.storage.factors.activate(factor.id, at(1), null)).toBe(true);
      expect((await ctx.storage.factors.findActiveByUsername(user.username, 'totp'))?.lockout).toBeUndefined();
      const locked = {
        userId: user.id,
        failedCount: 5,
        lockLevel: 1,
        lockedUntil: at(60_000),
        totalFailures: 7,
        version: 1,
      };
      expect(await ctx.storage.lockouts.compareAndSet(0, locked)).toBe(true);
      const stored = await ctx.storage.lockouts.find(user.id);
      expect(stored).toEqual(locked);
      expect((await ctx.storage.factors.findActiveByUsername(user.username, 'totp'))?.lockout).toEqual(stored);
      expect((await ctx.storage.factors.findActiveByExternalId(user.externalId ?? '', 'totp'))?.lockout).toEqual(
        stored,
      );
      // Without an active factor the row still comes: the lockout is the account's, not the factor's.
      expect((await ctx.storage.factors.findActiveByUsername(user.username, 'sms'))?.lockout).toEqual(stored);
    });

    it('findActiveToCheck brings the active factor with the account’s lockout row, and nothing without one', async () => {
      const user = await ctx.createdUser();
      const factor = aPendingFactor(user.id);
      await ctx.storage.factors.insertPending(factor);
      expect(await ctx.storage.factors.findActiveToCheck(user.id, 'totp')).toBeUndefined();
      expect(await ctx.storage.factors.activate(factor.id, at(1), null)).toBe(true);
      const active = await ctx.storage.factors.findActive(user.id, 'totp');
      expect(await ctx.storage.factors.findActiveToCheck(user.id, 'totp')).toEqual({
        factor: active,
        lockout: undefined,
      });
      const row = { userId: user.id, failedCount: 2, lockLevel: 0, lockedUntil: null, totalFailures: 2, version: 1 };
      expect(await ctx.storage.lockouts.compareAndSet(0, row)).toBe(true);
      const found = await ctx.storage.factors.findActiveToCheck(user.id, 'totp');
      expect(found?.factor).toEqual(active);
      expect(found?.lockout).toEqual(await ctx.storage.lockouts.find(user.id));
      expect(found?.lockout).toEqual(row);
      expect(await ctx.storage.factors.findActiveToCheck(user.id, 'sms')).toBeUndefined();
    });

    it('findActiveByExternalId finds the user by the platform id, and says whether it is disabled', async () => {
      const user = await ctx.createdUser({ externalId: `ext-${randomUUID()}` });
      const factor = aPendingFactor(user.id);
      await ctx.storage.factors.insertPending(factor);
      expect(await ctx.storage.factors.activate(factor.id, at(1), null)).toBe(true);
      const externalId = user.externalId ?? '';
      expect((await ctx.storage.factors.findActiveByExternalId(externalId, 'totp'))?.factor?.id).toBe(factor.id);
      expect(await ctx.storage.users.setDisabled(user.id, at(2))).toBe(true);
      expect(await ctx.storage.factors.findActiveByExternalId(externalId, 'totp')).toMatchObject({
        userId: user.id,
        disabled: true,
      });
      expect((await ctx.storage.factors.findActiveByUsername(user.username, 'totp'))?.disabled).toBe(true);
      expect(await ctx.storage.factors.findActiveByExternalId(user.username, 'totp')).toBeUndefined();
    });

    it("lists a user's factors by creation time", async () => {
      const user = await ctx.createdUser();
      const active = aPendingFactor(user.id, { createdAt: at(5_000) });
      await ctx.storage.factors.insertPending(active);
      expect(await ctx.storage.factors.activate(active.id, at(6_000), null)).toBe(true);
      const pending = aPendingFactor(user.id, { createdAt: at(1_000) });
      await ctx.storage.factors.insertPending(pending);
      await ctx.storage.factors.insertPending(aPendingFactor((await ctx.createdUser()).id));
      const listed = await ctx.storage.factors.listByUser(user.id);
      expect(listed.map((f) => f.id)).toEqual([pending.id, active.id]);
      expect(await ctx.storage.factors.listByUser('nobody')).toEqual([]);
    });

    it('recordUsedStep accepts only a step newer than the last one', async () => {
      const { factor } = await ctx.activeTotp();
      expect(await ctx.storage.factors.recordUsedStep(factor.id, 100)).toBe(true);
      expect(await ctx.storage.factors.recordUsedStep(factor.id, 100)).toBe(false);
      expect(await ctx.storage.factors.recordUsedStep(factor.id, 99)).toBe(false);
      expect(await ctx.storage.factors.recordUsedStep(factor.id, 101)).toBe(true);
      expect(await lastUsedStep(factor.id)).toBe(101);
    });

    it('recordUsedStepClearingFailures records the step and resets failures still at the version read, in one write', async () => {
      const { user, factor } = await ctx.activeTotp();
      const failed = { userId: user.id, failedCount: 3, lockLevel: 1, lockedUntil: null, totalFailures: 7, version: 1 };
      expect(await ctx.storage.lockouts.compareAndSet(0, failed)).toBe(true);
      expect(
        await ctx.storage.factors.recordUsedStepClearingFailures(factor.id, 200, {
          userId: user.id,
          expectedVersion: 1,
        }),
      ).toBe('recorded');
      expect(await lastUsedStep(factor.id)).toBe(200);
      expect(await ctx.storage.lockouts.find(user.id)).toEqual({
        userId: user.id,
        failedCount: 0,
        lockLevel: 0,
        lockedUntil: null,
        totalFailures: 0,
        version: 2,
      });
      // Without failures to clear: the step alone.
      expect(await ctx.storage.factors.recordUsedStepClearingFailures(factor.id, 201)).toBe('recorded');
      expect(await lastUsedStep(factor.id)).toBe(201);
    });

    it('recordUsedStepClearingFailures for an account that had no lockout row: the step alone, unless a row came since', async () => {
      const { user, factor } = await ctx.activeTotp();
      const noRow = { userId: user.id, expectedVersion: 0 };
      expect(await ctx.storage.factors.recordUsedStepClearingFailures(factor.id, 400, noRow)).toBe('recorded');
      expect(await lastUsedStep(factor.id)).toBe(400);
      // Nothing to clear, so nothing written to the lockout table.
      expect(await ctx.storage.lockouts.find(user.id)).toBeUndefined();
      expect(await ctx.storage.factors.recordUsedStepClearingFailures(factor.id, 400, noRow)).toBe('replayed');
      // A first failure of another account inserted since the read: the step is not kept.
      const other = await ctx.activeTotp();
      const failed = {
        userId: other.user.id,
        failedCount: 1,
        lockLevel: 0,
        lockedUntil: null,
        totalFailures: 1,
        version: 1,
      };
      expect(await ctx.storage.lockouts.compareAndSet(0, failed)).toBe(true);
      expect(
        await ctx.storage.factors.recordUsedStepClearingFailures(other.factor.id, 400, {
          userId: other.user.id,
          expectedVersion: 0,
        }),
      ).toBe('lockout_changed');
      expect(await lastUsedStep(other.factor.id)).toBeNull();
      expect(await ctx.storage.lockouts.find(other.user.id)).toEqual(failed);
    });

    it('recordUsedStepClearingFailures with nothing to clear: the row only checked unchanged, never written', async () => {
      const { user, factor } = await ctx.activeTotp();
      const cleared = {
        userId: user.id,
        failedCount: 0,
        lockLevel: 0,
        lockedUntil: null,
        totalFailures: 0,
        version: 4,
      };
      expect(await ctx.storage.lockouts.compareAndSet(0, cleared)).toBe(true);
      const asRead = { userId: user.id, expectedVersion: 4, nothingToClear: true };
      expect(await ctx.storage.factors.recordUsedStepClearingFailures(factor.id, 500, asRead)).toBe('recorded');
      expect(await lastUsedStep(factor.id)).toBe(500);
      expect(await ctx.storage.lockouts.find(user.id)).toEqual(cleared);
      // The same step again: a replay. A failure since the read: the row changed, the step is not kept.
      expect(await ctx.storage.factors.recordUsedStepClearingFailures(factor.id, 500, asRead)).toBe('replayed');
      const failed = { ...cleared, failedCount: 1, totalFailures: 1, version: 5 };
      expect(await ctx.storage.lockouts.compareAndSet(4, failed)).toBe(true);
      expect(await ctx.storage.factors.recordUsedStepClearingFailures(factor.id, 501, asRead)).toBe('lockout_changed');
      expect(await lastUsedStep(factor.id)).toBe(500);
      expect(await ctx.storage.lockouts.find(user.id)).toEqual(failed);
      // A factor no longer active is a replay, as for the step alone.
      await ctx.storage.factors.delete(factor.id);
      const gone = { userId: user.id, expectedVersion: 5, nothingToClear: true };
      expect(await ctx.storage.factors.recordUsedStepClearingFailures(factor.id, 502, gone)).toBe('replayed');
    });

    it('recordUsedStepClearingFailures writes nothing when the row changed since it was read, or the step is spent', async () => {
      const { user, factor } = await ctx.activeTotp();
      const failed = { userId: user.id, failedCount: 2, lockLevel: 0, lockedUntil: null, totalFailures: 2, version: 1 };
      expect(await ctx.storage.lockouts.compareAndSet(0, failed)).toBe(true);
      const another = { ...failed, failedCount: 3, totalFailures: 3, version: 2 };
      expect(await ctx.storage.lockouts.compareAndSet(1, another)).toBe(true);
      // Decided on version 1; another failure came first: neither the step nor the reset is kept.
      expect(
        await ctx.storage.factors.recordUsedStepClearingFailures(factor.id, 300, {
          userId: user.id,
          expectedVersion: 1,
        }),
      ).toBe('lockout_changed');
      expect(await lastUsedStep(factor.id)).toBeNull();
      expect(await ctx.storage.lockouts.find(user.id)).toEqual(another);
      expect(await ctx.storage.factors.recordUsedStep(factor.id, 300)).toBe(true);
      // A spent step is a replay, and the failures stay.
      expect(
        await ctx.storage.factors.recordUsedStepClearingFailures(factor.id, 300, {
          userId: user.id,
          expectedVersion: 2,
        }),
      ).toBe('replayed');
      expect(await ctx.storage.lockouts.find(user.id)).toEqual(another);
    });

    it('recordUsedStep refuses the step that confirmed the factor', async () => {
      const user = await ctx.createdUser();
      const factor = aPendingFactor(user.id);
      await ctx.storage.factors.insertPending(factor);
      expect(await ctx.storage.factors.activate(factor.id, at(1), 59_000_000)).toBe(true);
      expect(await ctx.storage.factors.recordUsedStep(factor.id, 59_000_000)).toBe(false);
      expect(await ctx.storage.factors.recordUsedStep(factor.id, 59_000_001)).toBe(true);
    });

    it('recordUsedStep is false for a pending or unknown factor', async () => {
      const user = await ctx.createdUser();
      const factor = aPendingFactor(user.id);
      await ctx.storage.factors.insertPending(factor);
      expect(await ctx.storage.factors.recordUsedStep(factor.id, 1)).toBe(false);
      expect(await lastUsedStep(factor.id)).toBeNull();
      expect(await ctx.storage.factors.recordUsedStep('00000000-0000-0000-0000-000000000000', 1)).toBe(false);
    });

    it('deletes a factor once', async () => {
      const { user, factor } = await ctx.activeTotp();
      expect(await ctx.storage.factors.delete(factor.id)).toBe(true);
      expect(await ctx.storage.factors.delete(factor.id)).toBe(false);
      expect(await ctx.storage.factors.findById(factor.id)).toBeUndefined();
      expect(await detailRows(factor.id)).toBe(0);
      expect(await ctx.storage.factors.hasActive(user.id)).toBe(false);
    });

    it('recordUsedStep is false for an active factor of another kind', async () => {
      const user = await ctx.createdUser();
      const factor = anActiveFactor(user.id, { kind: 'sms' });
      expect(await ctx.storage.factors.insertActive(factor)).toBe('inserted');
      expect(await ctx.storage.factors.recordUsedStep(factor.id, 1)).toBe(false);
    });
  });

  describe('factors: second-factor methods', () => {
    it('inserts an active factor and reads it back exactly', async () => {
      const user = await ctx.createdUser();
      const factor = anActiveFactor(user.id);
      expect(await ctx.storage.factors.insertActive(factor)).toBe('inserted');
      expect(await ctx.storage.factors.findById(factor.id)).toEqual(factor);
      expect(await ctx.storage.factors.findActive(user.id, 'backup_codes')).toEqual(factor);
    });

    it('returns already_active when the user has an active factor of the kind, and stores nothing', async () => {
      const user = await ctx.createdUser();
      const first = anActiveFactor(user.id);
      expect(await ctx.storage.factors.insertActive(first)).toBe('inserted');
      const second = anActiveFactor(user.id, { createdAt: at(1_000) });
      expect(await ctx.storage.factors.insertActive(second)).toBe('already_active');
      expect(await ctx.storage.factors.findById(second.id)).toBeUndefined();
      // A pending factor of the kind does not block it, and another user is not affected.
      const other = await ctx.createdUser();
      await ctx.storage.factors.insertPending(aPendingFactor(other.id));
      expect(await ctx.storage.factors.insertActive(anActiveFactor(other.id, { kind: 'totp' }))).toBe('inserted');
      expect(await ctx.storage.factors.insertActive(anActiveFactor(other.id))).toBe('inserted');
    });

    it('insertActive refuses a pending factor, and still throws on other errors', async () => {
      const user = await ctx.createdUser();
      await expect(ctx.storage.factors.insertActive(anActiveFactor(user.id, { status: 'pending' }))).rejects.toThrow();
      await expect(ctx.storage.factors.insertActive(anActiveFactor('no-such-user'))).rejects.toThrow();
      const factor = anActiveFactor(user.id);
      expect(await ctx.storage.factors.insertActive(factor)).toBe('inserted');
      await expect(
        ctx.storage.factors.insertActive(anActiveFactor(user.id, { id: factor.id, kind: 'sms' })),
      ).rejects.toThrow();
    });

    it('lists the kinds of the active factors only', async () => {
      const user = await ctx.createdUser();
      expect(await ctx.storage.factors.activeKinds(user.id)).toEqual([]);
      expect(await ctx.storage.factors.insertActive(anActiveFactor(user.id, { kind: 'sms' }))).toBe('inserted');
      expect(await ctx.storage.factors.insertActive(anActiveFactor(user.id))).toBe('inserted');
      await ctx.storage.factors.insertPending(aPendingFactor(user.id, { kind: 'totp' }));
      await ctx.storage.factors.insertActive(anActiveFactor((await ctx.createdUser()).id, { kind: 'email' }));
      expect(await ctx.storage.factors.activeKinds(user.id)).toEqual(['backup_codes', 'sms']);
    });

    it("deletes all of a user's factors, returning the kinds that were active", async () => {
      const user = await ctx.createdUser();
      const other = await ctx.createdUser();
      const totp = aPendingFactor(user.id);
      await ctx.storage.factors.insertPending(totp);
      expect(await ctx.storage.factors.activate(totp.id, at(1), null)).toBe(true);
      expect(await ctx.storage.factors.insertActive(anActiveFactor(user.id))).toBe('inserted');
      await ctx.storage.factors.insertPending(aPendingFactor(user.id, { kind: 'sms' }));
      const othersFactor = anActiveFactor(other.id);
      expect(await ctx.storage.factors.insertActive(othersFactor)).toBe('inserted');

      expect(await ctx.storage.factors.deleteAllForUser(user.id)).toEqual(['backup_codes', 'totp']);
      expect(await ctx.storage.factors.listByUser(user.id)).toEqual([]);
      expect(await ctx.storage.factors.listByUser(other.id)).toEqual([othersFactor]);
      expect(await ctx.storage.factors.deleteAllForUser(user.id)).toEqual([]);
    });

    it(`lets exactly one of ${CALLERS} concurrent active inserts of one kind win`, async () => {
      const user = await ctx.createdUser();
      const results = await ctx.race(await ctx.connections({ transactions: true }), (s) =>
        s.factors.insertActive(anActiveFactor(user.id)),
      );
      expect(results.filter((result) => result === 'inserted')).toHaveLength(1);
      expect(results.filter((result) => result === 'already_active')).toHaveLength(CALLERS - 1);
      expect(await ctx.storage.factors.listByUser(user.id)).toHaveLength(1);
    });
  });
}
