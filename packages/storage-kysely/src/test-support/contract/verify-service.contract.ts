import { randomUUID } from 'node:crypto';
import type { DestinationVerificationRecord, EntityChallengeRecord, VerifyServiceRecord } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { at } from '../record-factories.js';
import { CALLERS, type ContractContext } from './context.js';

function aService(ownerId: string, overrides: Partial<VerifyServiceRecord> = {}): VerifyServiceRecord {
  return {
    id: randomUUID(),
    ownerId,
    friendlyName: 'My App',
    codeLength: 6,
    settings: {
      ttsName: null,
      doNotShareWarningEnabled: false,
      totpIssuer: 'My App',
      totpTimeStep: 30,
      totpCodeLength: null,
      totpSkew: 1,
    },
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

function aVerification(
  service: VerifyServiceRecord,
  overrides: Partial<DestinationVerificationRecord> = {},
): DestinationVerificationRecord {
  return {
    id: randomUUID(),
    serviceId: service.id,
    ownerId: service.ownerId,
    channel: 'sms',
    sealedDestination: 'sealed',
    destinationHash: 'hash-of-destination',
    status: 'pending',
    codeId: randomUUID(),
    sendAttempts: [{ channel: 'sms', sentAt: at(0) }],
    createdAt: at(0),
    updatedAt: at(0),
    expiresAt: at(600_000),
    ...overrides,
  };
}

/** Verify services and their destination verifications. */
export function describeVerifyServiceContract(ctx: ContractContext): void {
  describe('verify services', () => {
    it('keeps a service for its owner only, and lists, updates and deletes it', async () => {
      const owner = await ctx.createdUser();
      const other = await ctx.createdUser();
      const first = aService(owner.id);
      const second = aService(owner.id, { createdAt: at(1), updatedAt: at(1) });
      await ctx.storage.verifyServices.insert(first);
      await ctx.storage.verifyServices.insert(second);
      expect(await ctx.storage.verifyServices.findById(first.id, owner.id)).toEqual(first);
      expect(await ctx.storage.verifyServices.findById(first.id, other.id)).toBeUndefined();
      expect((await ctx.storage.verifyServices.list(owner.id, 0, 10)).map((s) => s.id)).toEqual([first.id, second.id]);
      expect((await ctx.storage.verifyServices.list(owner.id, 1, 10)).map((s) => s.id)).toEqual([second.id]);
      expect(await ctx.storage.verifyServices.list(other.id, 0, 10)).toEqual([]);

      const changed = { ...first, codeLength: 8, updatedAt: at(5) };
      expect(await ctx.storage.verifyServices.update({ ...changed, ownerId: other.id })).toBe(false);
      expect(await ctx.storage.verifyServices.update(changed)).toBe(true);
      expect(await ctx.storage.verifyServices.findById(first.id, owner.id)).toEqual(changed);

      expect(await ctx.storage.verifyServices.delete(first.id, other.id)).toBe(false);
      expect(await ctx.storage.verifyServices.delete(first.id, owner.id)).toBe(true);
      expect(await ctx.storage.verifyServices.findById(first.id, owner.id)).toBeUndefined();
    });

    it('finds the pending, unexpired verification of a destination; deleting the service removes its verifications', async () => {
      const owner = await ctx.createdUser();
      const service = aService(owner.id);
      await ctx.storage.verifyServices.insert(service);
      const old = aVerification(service, { status: 'approved' });
      const pending = aVerification(service, { createdAt: at(1) });
      const expired = aVerification(service, { destinationHash: 'other', expiresAt: at(10) });
      for (const v of [old, pending, expired]) await ctx.storage.destinationVerifications.insert(v);
      const repo = ctx.storage.destinationVerifications;
      expect(await repo.findById(pending.id)).toEqual(pending);
      expect((await repo.findPending(service.id, 'hash-of-destination', at(100)))?.id).toBe(pending.id);
      expect(await repo.findPending(service.id, 'other', at(100))).toBeUndefined();
      expect(await repo.findPending(service.id, 'other', at(5))).toEqual(expired);

      await ctx.storage.verifyServices.delete(service.id, owner.id);
      expect(await repo.findById(pending.id)).toBeUndefined();
    });

    it('changes a verification only while it is pending: of concurrent settlements, one wins', async () => {
      const owner = await ctx.createdUser();
      const service = aService(owner.id);
      await ctx.storage.verifyServices.insert(service);
      const verification = aVerification(service);
      await ctx.storage.destinationVerifications.insert(verification);
      const resent = [...verification.sendAttempts, { channel: 'sms' as const, sentAt: at(70_000) }];
      expect(
        await ctx.storage.destinationVerifications.updatePending(verification.id, {
          codeId: 'code-2',
          sendAttempts: resent,
          expiresAt: at(670_000),
          updatedAt: at(70_000),
        }),
      ).toBe(true);
      expect(await ctx.storage.destinationVerifications.findById(verification.id)).toMatchObject({
        codeId: 'code-2',
        sendAttempts: resent,
        expiresAt: at(670_000),
        status: 'pending',
      });

      const storages = await ctx.connections({ transactions: false });
      const outcomes = await ctx.race(storages, (storage, i) =>
        storage.destinationVerifications.updatePending(verification.id, {
          status: i % 2 === 0 ? 'approved' : 'canceled',
          updatedAt: at(80_000),
        }),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect(outcomes).toHaveLength(CALLERS);
      expect(
        await ctx.storage.destinationVerifications.updatePending(verification.id, {
          status: 'pending',
          updatedAt: at(90_000),
        }),
      ).toBe(false);
    });

    it('keeps entity challenges for their service and account; of concurrent approvals one wins, none once expired', async () => {
      const owner = await ctx.createdUser();
      const service = aService(owner.id);
      await ctx.storage.verifyServices.insert(service);
      const { user, factor } = await ctx.activeTotp();
      const challenge = (overrides: Partial<EntityChallengeRecord> = {}): EntityChallengeRecord => ({
        id: randomUUID(),
        serviceId: service.id,
        userId: user.id,
        factorId: factor.id,
        status: 'pending',
        createdAt: at(0),
        updatedAt: at(0),
        respondedAt: null,
        expiresAt: at(300_000),
        ...overrides,
      });
      const first = challenge();
      const second = challenge({ createdAt: at(1), status: 'approved', respondedAt: at(1) });
      await ctx.storage.entityChallenges.insert(first);
      await ctx.storage.entityChallenges.insert(second);
      const repo = ctx.storage.entityChallenges;
      expect(await repo.findById(first.id, service.id, user.id)).toEqual(first);
      expect(await repo.findById(first.id, service.id, owner.id)).toBeUndefined();
      expect((await repo.list(service.id, user.id, 0, 10)).map((c) => c.id)).toEqual([second.id, first.id]);
      expect((await repo.list(service.id, user.id, 1, 10)).map((c) => c.id)).toEqual([first.id]);

      expect(await repo.approve(first.id, at(400_000))).toBe(false);
      const storages = await ctx.connections({ transactions: false });
      const outcomes = await ctx.race(storages, (storage) => storage.entityChallenges.approve(first.id, at(10)));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      expect(await repo.findById(first.id, service.id, user.id)).toMatchObject({
        status: 'approved',
        respondedAt: at(10),
      });
    });
  });
}
