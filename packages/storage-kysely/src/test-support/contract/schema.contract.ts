import { describe, expect, it } from 'vitest';
import {
  aBackupCode,
  aBackupCodeSet,
  aDeliveredCode,
  aFlow,
  aHistoryEntry,
  aLockout,
  anApiToken,
  aPendingFactor,
  aRefreshToken,
  aSessionFamily,
  aSuccessToken,
  aTrustedDevice,
  at,
  aUser,
} from '../record-factories.js';
import { type ContractContext, recordCode } from './context.js';

/** What the schema itself guarantees: cascades, foreign keys, exact times. */
export function describeSchemaContract(ctx: ContractContext): void {
  describe('schema', () => {
    it("deletes a user's rows with the user (ON DELETE CASCADE)", async () => {
      const { user, factor } = await ctx.activeTotp();
      const family = aSessionFamily(user.id);
      await ctx.storage.sessions.createFamily(family);
      const refresh = aRefreshToken(family);
      await ctx.storage.sessions.insertRefreshToken(refresh);
      const apiToken = anApiToken(user.id);
      await ctx.storage.apiTokens.insert(apiToken);
      const flow = aFlow(user.id);
      await ctx.storage.flows.insert(flow);
      expect(await ctx.storage.lockouts.compareAndSet(0, aLockout(user.id))).toBe(true);
      const bystander = await ctx.activeTotp();

      await ctx.storage.db.deleteFrom('users').where('id', '=', user.id).execute();

      expect(await ctx.storage.factors.findById(factor.id)).toBeUndefined();
      expect(await ctx.storage.sessions.findFamily(family.id)).toBeUndefined();
      expect(await ctx.storage.sessions.findRefreshTokenByHash(refresh.tokenHash)).toBeUndefined();
      expect(await ctx.storage.apiTokens.findByHash(apiToken.tokenHash)).toBeUndefined();
      expect(await ctx.storage.flows.findById(flow.id)).toBeUndefined();
      expect(await ctx.storage.lockouts.find(user.id)).toBeUndefined();
      expect(await ctx.storage.factors.findById(bystander.factor.id)).toBeDefined();
    });

    it('refuses rows for a user that does not exist (foreign keys are on)', async () => {
      await expect(ctx.storage.factors.insertPending(aPendingFactor('no-such-user'))).rejects.toThrow();
      await expect(ctx.storage.flows.insert(aFlow('no-such-user'))).rejects.toThrow();
    });

    it('round-trips times exactly, including ones past 2038 and before 1970', async () => {
      const user = await ctx.createdUser({ createdAt: new Date(Date.UTC(2300, 0, 1, 0, 0, 0, 1)) });
      expect((await ctx.storage.users.findById(user.id))?.createdAt).toEqual(user.createdAt);
      const old = await ctx.createdUser({ createdAt: new Date(-1) });
      expect((await ctx.storage.users.findById(old.id))?.createdAt.getTime()).toBe(-1);
      const found = await ctx.storage.users.findById(user.id);
      expect(found?.createdAt).toBeInstanceOf(Date);
    });

    it('refuses to store an invalid Date', async () => {
      await expect(ctx.storage.users.create(aUser({ createdAt: new Date(Number.NaN) }))).rejects.toThrow(RangeError);
    });
  });

  describe('schema', () => {
    it("deletes a user's second-factor rows with the user, and keeps the history without the user", async () => {
      const user = await ctx.createdUser();
      const bystander = await ctx.createdUser();
      await ctx.storage.backupCodes.replaceSet(user.id, aBackupCodeSet(user.id, 2));
      await ctx.storage.backupCodes.replaceSet(bystander.id, aBackupCodeSet(bystander.id, 2));
      const delivered = aDeliveredCode(user.id);
      await recordCode(ctx, delivered);
      const token = aSuccessToken(user.id);
      await ctx.storage.successTokens.insert(token);
      const device = aTrustedDevice(user.id);
      await ctx.storage.trustedDevices.insert(device);
      const entry = aHistoryEntry(user.id);
      await ctx.storage.history.insert(entry);
      const bystanderEntry = aHistoryEntry(bystander.id);
      await ctx.storage.history.insert(bystanderEntry);

      await ctx.storage.db.deleteFrom('users').where('id', '=', user.id).execute();

      expect(await ctx.storage.backupCodes.countRemaining(user.id)).toBe(0);
      expect(await ctx.storage.deliveredCodes.findById(delivered.id)).toBeUndefined();
      expect(await ctx.storage.successTokens.consume(token.tokenHash, token.operation, token.target, at(1))).toBe(
        undefined,
      );
      expect(await ctx.storage.trustedDevices.findByHash(device.tokenHash)).toBeUndefined();
      expect(await ctx.storage.history.findById(entry.id)).toEqual({
        ...entry,
        userId: null,
        number: expect.any(Number),
      });
      expect(await ctx.storage.backupCodes.countRemaining(bystander.id)).toBe(2);
      expect(await ctx.storage.history.findById(bystanderEntry.id)).toEqual({
        ...bystanderEntry,
        number: expect.any(Number),
      });
    });

    it('refuses rows for a user that does not exist (foreign keys are on)', async () => {
      await expect(ctx.storage.backupCodes.replaceSet('no-such-user', [aBackupCode('no-such-user')])).rejects.toThrow();
      await expect(recordCode(ctx, aDeliveredCode('no-such-user'))).rejects.toThrow();
      await expect(ctx.storage.successTokens.insert(aSuccessToken('no-such-user'))).rejects.toThrow();
      await expect(ctx.storage.trustedDevices.insert(aTrustedDevice('no-such-user'))).rejects.toThrow();
      await expect(ctx.storage.history.insert(aHistoryEntry('no-such-user'))).rejects.toThrow();
    });

    it('refuses a delivered code with more tries counted than allowed', async () => {
      const user = await ctx.createdUser();
      await expect(recordCode(ctx, aDeliveredCode(user.id, { attempts: 6, maxAttempts: 5 }))).rejects.toThrow();
      await expect(recordCode(ctx, aDeliveredCode(user.id, { attempts: -1 }))).rejects.toThrow();
    });
  });
}
