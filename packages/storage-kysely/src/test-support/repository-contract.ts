import type { NewUser } from '@tessera/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  aFlow,
  aLockout,
  anApiToken,
  aPendingFactor,
  aRefreshToken,
  aSessionFamily,
  at,
  aUser,
  T0,
} from './record-factories.js';
import { describeSecondFactorContract } from './second-factor-contract.js';
import { openTestStorage, type TestStorage } from './test-storage.js';

/**
 * The behaviour every storage must have, run unchanged against each dialect. Each test gets a
 * fresh, migrated database.
 */
export function describeRepositoryContract(kind: 'sqlite' | 'postgres'): void {
  describe(`${kind}: repository contract`, () => {
    let storage: TestStorage;

    beforeEach(async () => {
      storage = await openTestStorage(kind);
    });

    afterEach(async () => {
      await storage.dispose();
    });

    async function createdUser(overrides: Partial<NewUser> = {}): Promise<NewUser> {
      const user = aUser(overrides);
      expect(await storage.users.create(user)).toBe('created');
      return user;
    }

    /** A user with an active TOTP factor (activated without a used step). */
    async function activeFactor() {
      const user = await createdUser();
      const factor = aPendingFactor(user.id);
      await storage.factors.insertPending(factor);
      expect(await storage.factors.activate(factor.id, at(1000), null)).toBe(true);
      return { user, factor };
    }

    it('reports its dialect', () => {
      expect(storage.dialect).toBe(kind);
    });

    describe('users', () => {
      it('stores a user and reads it back by id and by username, times exact to the millisecond', async () => {
        const user = await createdUser({ phone: '+15550100', role: 'admin', issuer: 'Acme' });
        expect(await storage.users.findById(user.id)).toEqual(user);
        expect(await storage.users.findByUsername(user.username)).toEqual(user);
        expect((await storage.users.findById(user.id))?.createdAt.getTime()).toBe(T0.getTime());
      });

      it('finds nothing for an unknown id or username, including a malformed id', async () => {
        expect(await storage.users.findById('00000000-0000-0000-0000-000000000000')).toBeUndefined();
        expect(await storage.users.findById('not a uuid')).toBeUndefined();
        expect(await storage.users.findByUsername('nobody')).toBeUndefined();
      });

      it('returns username_taken on a username clash and stores nothing', async () => {
        const first = await createdUser();
        const clash = aUser({ username: first.username });
        expect(await storage.users.create(clash)).toBe('username_taken');
        expect(await storage.users.findById(clash.id)).toBeUndefined();
        expect(await storage.users.count()).toBe(1);
      });

      it('returns email_taken on an email clash and stores nothing', async () => {
        const first = await createdUser();
        const clash = aUser({ email: first.email });
        expect(await storage.users.create(clash)).toBe('email_taken');
        expect(await storage.users.findById(clash.id)).toBeUndefined();
      });

      it('allows any number of users without an email', async () => {
        await createdUser({ email: null });
        await createdUser({ email: null });
        expect(await storage.users.count()).toBe(2);
      });

      it('still throws for a clash that is neither username nor email (a duplicate id)', async () => {
        const first = await createdUser();
        await expect(storage.users.create(aUser({ id: first.id }))).rejects.toThrow();
      });

      it('counts users', async () => {
        expect(await storage.users.count()).toBe(0);
        await createdUser();
        await createdUser();
        expect(await storage.users.count()).toBe(2);
      });
    });

    describe('factors', () => {
      it('stores a pending factor and reads it back exactly', async () => {
        const user = await createdUser();
        const factor = aPendingFactor(user.id, { lastUsedStep: null });
        await storage.factors.insertPending(factor);
        expect(await storage.factors.findById(factor.id)).toEqual(factor);
        expect(await storage.factors.findById('not a uuid')).toBeUndefined();
      });

      it('insertPending replaces an older pending factor of the same kind, and only that', async () => {
        const user = await createdUser();
        const other = await createdUser();
        const older = aPendingFactor(user.id);
        const othersPending = aPendingFactor(other.id);
        await storage.factors.insertPending(older);
        await storage.factors.insertPending(othersPending);
        const newer = aPendingFactor(user.id, { createdAt: at(60_000) });
        await storage.factors.insertPending(newer);
        expect(await storage.factors.findById(older.id)).toBeUndefined();
        expect(await storage.factors.findById(newer.id)).toEqual(newer);
        expect(await storage.factors.findById(othersPending.id)).toEqual(othersPending);
      });

      it('insertPending keeps the active factor of the kind', async () => {
        const { user, factor } = await activeFactor();
        const replacement = aPendingFactor(user.id, { createdAt: at(60_000) });
        await storage.factors.insertPending(replacement);
        expect((await storage.factors.findById(factor.id))?.status).toBe('active');
        expect((await storage.factors.findById(replacement.id))?.status).toBe('pending');
      });

      it('insertPending refuses a factor that is not pending', async () => {
        const user = await createdUser();
        await expect(storage.factors.insertPending(aPendingFactor(user.id, { status: 'active' }))).rejects.toThrow();
      });

      it('activates a pending factor once, recording the time and the used step', async () => {
        const user = await createdUser();
        const factor = aPendingFactor(user.id);
        await storage.factors.insertPending(factor);
        const now = at(2_345);
        expect(await storage.factors.activate(factor.id, now, 58_000_123)).toBe(true);
        expect(await storage.factors.findById(factor.id)).toEqual({
          ...factor,
          status: 'active',
          activatedAt: now,
          expiresAt: null,
          lastUsedStep: 58_000_123,
        });
        expect(await storage.factors.activate(factor.id, at(9_999), 58_000_124)).toBe(false);
        expect((await storage.factors.findById(factor.id))?.activatedAt).toEqual(now);
      });

      it('activate without a used step keeps the stored one', async () => {
        const user = await createdUser();
        const factor = aPendingFactor(user.id, { lastUsedStep: 7 });
        await storage.factors.insertPending(factor);
        expect(await storage.factors.activate(factor.id, at(1), null)).toBe(true);
        expect((await storage.factors.findById(factor.id))?.lastUsedStep).toBe(7);
      });

      it('activate is false for an unknown factor', async () => {
        expect(await storage.factors.activate('00000000-0000-0000-0000-000000000000', T0, null)).toBe(false);
      });

      it('allows one active factor per user and kind: a second activation returns false', async () => {
        const { user, factor } = await activeFactor();
        const second = aPendingFactor(user.id, { createdAt: at(60_000) });
        await storage.factors.insertPending(second);
        expect(await storage.factors.activate(second.id, at(61_000), 5)).toBe(false);
        expect((await storage.factors.findById(second.id))?.status).toBe('pending');
        expect((await storage.factors.findActive(user.id, 'totp'))?.id).toBe(factor.id);
        // Another user's factor is not affected by the rule.
        const other = await createdUser();
        const othersFactor = aPendingFactor(other.id);
        await storage.factors.insertPending(othersFactor);
        expect(await storage.factors.activate(othersFactor.id, at(1), null)).toBe(true);
      });

      it('hasActive and findActive see only active factors', async () => {
        const user = await createdUser();
        const factor = aPendingFactor(user.id);
        await storage.factors.insertPending(factor);
        expect(await storage.factors.hasActive(user.id)).toBe(false);
        expect(await storage.factors.findActive(user.id, 'totp')).toBeUndefined();
        expect(await storage.factors.activate(factor.id, at(1), null)).toBe(true);
        expect(await storage.factors.hasActive(user.id)).toBe(true);
        expect((await storage.factors.findActive(user.id, 'totp'))?.id).toBe(factor.id);
      });

      it('findActiveByUsername returns the user and only an active factor, in one lookup', async () => {
        const user = await createdUser();
        const factor = aPendingFactor(user.id);
        await storage.factors.insertPending(factor);
        expect(await storage.factors.findActiveByUsername(user.username, 'totp')).toEqual({
          userId: user.id,
          factor: undefined,
        });
        expect(await storage.factors.activate(factor.id, at(1), null)).toBe(true);
        const found = await storage.factors.findActiveByUsername(user.username, 'totp');
        expect(found).toEqual({ userId: user.id, factor: await storage.factors.findActive(user.id, 'totp') });
        expect(found?.factor?.status).toBe('active');
        expect(await storage.factors.findActiveByUsername('nobody', 'totp')).toBeUndefined();
      });

      it("lists a user's factors by creation time", async () => {
        const user = await createdUser();
        const active = aPendingFactor(user.id, { createdAt: at(5_000) });
        await storage.factors.insertPending(active);
        expect(await storage.factors.activate(active.id, at(6_000), null)).toBe(true);
        const pending = aPendingFactor(user.id, { createdAt: at(1_000) });
        await storage.factors.insertPending(pending);
        await storage.factors.insertPending(aPendingFactor((await createdUser()).id));
        const listed = await storage.factors.listByUser(user.id);
        expect(listed.map((f) => f.id)).toEqual([pending.id, active.id]);
        expect(await storage.factors.listByUser('nobody')).toEqual([]);
      });

      it('recordUsedStep accepts only a step newer than the last one', async () => {
        const { factor } = await activeFactor();
        expect(await storage.factors.recordUsedStep(factor.id, 100)).toBe(true);
        expect(await storage.factors.recordUsedStep(factor.id, 100)).toBe(false);
        expect(await storage.factors.recordUsedStep(factor.id, 99)).toBe(false);
        expect(await storage.factors.recordUsedStep(factor.id, 101)).toBe(true);
        expect((await storage.factors.findById(factor.id))?.lastUsedStep).toBe(101);
      });

      it('recordUsedStep refuses the step that confirmed the factor', async () => {
        const user = await createdUser();
        const factor = aPendingFactor(user.id);
        await storage.factors.insertPending(factor);
        expect(await storage.factors.activate(factor.id, at(1), 59_000_000)).toBe(true);
        expect(await storage.factors.recordUsedStep(factor.id, 59_000_000)).toBe(false);
        expect(await storage.factors.recordUsedStep(factor.id, 59_000_001)).toBe(true);
      });

      it('recordUsedStep is false for a pending or unknown factor', async () => {
        const user = await createdUser();
        const factor = aPendingFactor(user.id);
        await storage.factors.insertPending(factor);
        expect(await storage.factors.recordUsedStep(factor.id, 1)).toBe(false);
        expect((await storage.factors.findById(factor.id))?.lastUsedStep).toBeNull();
        expect(await storage.factors.recordUsedStep('00000000-0000-0000-0000-000000000000', 1)).toBe(false);
      });

      it('deletes a factor once', async () => {
        const { user, factor } = await activeFactor();
        expect(await storage.factors.delete(factor.id)).toBe(true);
        expect(await storage.factors.delete(factor.id)).toBe(false);
        expect(await storage.factors.findById(factor.id)).toBeUndefined();
        expect(await storage.factors.hasActive(user.id)).toBe(false);
      });
    });

    describe('sessions', () => {
      it('stores a session family and revokes it, keeping the first revocation time', async () => {
        const user = await createdUser();
        const family = aSessionFamily(user.id);
        await storage.sessions.createFamily(family);
        expect(await storage.sessions.findFamily(family.id)).toEqual(family);
        await storage.sessions.revokeFamily(family.id, at(1_001));
        await storage.sessions.revokeFamily(family.id, at(2_002));
        expect(await storage.sessions.findFamily(family.id)).toEqual({ ...family, revokedAt: at(1_001) });
        await expect(storage.sessions.revokeFamily('nobody', at(1))).resolves.toBeUndefined();
        expect(await storage.sessions.findFamily('nobody')).toBeUndefined();
      });

      it('stores a refresh token and finds it by hash', async () => {
        const user = await createdUser();
        const family = aSessionFamily(user.id);
        await storage.sessions.createFamily(family);
        const token = aRefreshToken(family);
        await storage.sessions.insertRefreshToken(token);
        expect(await storage.sessions.findRefreshTokenByHash(token.tokenHash)).toEqual(token);
        expect(await storage.sessions.findRefreshTokenByHash('unknown')).toBeUndefined();
      });

      it('refuses a second refresh token with the same hash', async () => {
        const user = await createdUser();
        const family = aSessionFamily(user.id);
        await storage.sessions.createFamily(family);
        const token = aRefreshToken(family);
        await storage.sessions.insertRefreshToken(token);
        await expect(
          storage.sessions.insertRefreshToken(aRefreshToken(family, { tokenHash: token.tokenHash })),
        ).rejects.toThrow();
      });

      it('marks a refresh token rotated only once', async () => {
        const user = await createdUser();
        const family = aSessionFamily(user.id);
        await storage.sessions.createFamily(family);
        const token = aRefreshToken(family);
        await storage.sessions.insertRefreshToken(token);
        expect(await storage.sessions.markRotated(token.id, at(3_003))).toBe(true);
        expect(await storage.sessions.markRotated(token.id, at(4_004))).toBe(false);
        expect((await storage.sessions.findRefreshTokenByHash(token.tokenHash))?.rotatedAt).toEqual(at(3_003));
        expect(await storage.sessions.markRotated('nobody', at(1))).toBe(false);
      });
    });

    describe('API tokens', () => {
      it('stores a token and finds it by hash', async () => {
        const user = await createdUser();
        const token = anApiToken(user.id, { lastUsedAt: at(17) });
        await storage.apiTokens.insert(token);
        expect(await storage.apiTokens.findByHash(token.tokenHash)).toEqual(token);
        expect(await storage.apiTokens.findByHash('unknown')).toBeUndefined();
      });

      it('findOwnerByHash returns the owner of a token until it is revoked', async () => {
        const user = await createdUser();
        const token = anApiToken(user.id);
        await storage.apiTokens.insert(token);
        expect(await storage.apiTokens.findOwnerByHash(token.tokenHash)).toEqual(user);
        expect(await storage.apiTokens.findOwnerByHash('unknown')).toBeUndefined();
        expect(await storage.apiTokens.revoke(token.id, user.id, at(5))).toBe(true);
        expect(await storage.apiTokens.findOwnerByHash(token.tokenHash)).toBeUndefined();
      });

      it('refuses a second token with the same hash', async () => {
        const user = await createdUser();
        const token = anApiToken(user.id);
        await storage.apiTokens.insert(token);
        await expect(storage.apiTokens.insert(anApiToken(user.id, { tokenHash: token.tokenHash }))).rejects.toThrow();
      });

      it("lists a user's tokens by creation time", async () => {
        const user = await createdUser();
        const later = anApiToken(user.id, { createdAt: at(2_000) });
        const earlier = anApiToken(user.id, { createdAt: at(1_000) });
        await storage.apiTokens.insert(later);
        await storage.apiTokens.insert(earlier);
        await storage.apiTokens.insert(anApiToken((await createdUser()).id));
        expect((await storage.apiTokens.listByUser(user.id)).map((t) => t.id)).toEqual([earlier.id, later.id]);
      });

      it("revokes only the owner's token, keeping the first revocation time", async () => {
        const owner = await createdUser();
        const stranger = await createdUser();
        const token = anApiToken(owner.id);
        await storage.apiTokens.insert(token);
        expect(await storage.apiTokens.revoke(token.id, stranger.id, at(500))).toBe(false);
        expect((await storage.apiTokens.findByHash(token.tokenHash))?.revokedAt).toBeNull();
        expect(await storage.apiTokens.revoke(token.id, owner.id, at(1_000))).toBe(true);
        expect(await storage.apiTokens.revoke(token.id, owner.id, at(2_000))).toBe(true);
        expect((await storage.apiTokens.findByHash(token.tokenHash))?.revokedAt).toEqual(at(1_000));
        expect(await storage.apiTokens.revoke('nobody', owner.id, at(1))).toBe(false);
      });
    });

    describe('flows', () => {
      it('stores a flow and reads it back exactly', async () => {
        const user = await createdUser();
        const flow = aFlow(user.id, { data: '{"next":"totp"}', attempts: 2, version: 3 });
        await storage.flows.insert(flow);
        expect(await storage.flows.findById(flow.id)).toEqual(flow);
        expect(await storage.flows.findById('not a uuid')).toBeUndefined();
      });

      it('updates a flow once per version', async () => {
        const user = await createdUser();
        const flow = aFlow(user.id);
        await storage.flows.insert(flow);
        const next = { state: 'failed', data: '{"why":"x"}', attempts: 1 };
        expect(await storage.flows.updateIfVersion(flow.id, 1, next)).toBe(true);
        expect(await storage.flows.updateIfVersion(flow.id, 1, { ...next, state: 'done' })).toBe(false);
        expect(await storage.flows.findById(flow.id)).toEqual({ ...flow, ...next, version: 2 });
        expect(await storage.flows.updateIfVersion(flow.id, 2, { ...next, state: 'done' })).toBe(true);
        expect((await storage.flows.findById(flow.id))?.version).toBe(3);
        expect(await storage.flows.updateIfVersion('nobody', 1, next)).toBe(false);
      });
    });

    describe('lockouts', () => {
      it('inserts with expected version 0, and a second insert loses', async () => {
        const user = await createdUser();
        expect(await storage.lockouts.find(user.id)).toBeUndefined();
        const first = aLockout(user.id, { failedCount: 1, version: 1 });
        expect(await storage.lockouts.compareAndSet(0, first)).toBe(true);
        expect(await storage.lockouts.find(user.id)).toEqual(first);
        expect(await storage.lockouts.compareAndSet(0, aLockout(user.id, { failedCount: 9, version: 1 }))).toBe(false);
        expect(await storage.lockouts.find(user.id)).toEqual(first);
      });

      it('updates only from the expected version', async () => {
        const user = await createdUser();
        expect(await storage.lockouts.compareAndSet(0, aLockout(user.id, { version: 1 }))).toBe(true);
        const locked = aLockout(user.id, { failedCount: 0, lockLevel: 1, lockedUntil: at(300_007), version: 2 });
        expect(await storage.lockouts.compareAndSet(1, locked)).toBe(true);
        expect(await storage.lockouts.find(user.id)).toEqual(locked);
        // A stale writer that read version 1 loses.
        expect(await storage.lockouts.compareAndSet(1, aLockout(user.id, { failedCount: 2, version: 2 }))).toBe(false);
        expect(await storage.lockouts.find(user.id)).toEqual(locked);
      });

      it('refuses a version that does not move forward', async () => {
        const user = await createdUser();
        await expect(storage.lockouts.compareAndSet(1, aLockout(user.id, { version: 1 }))).rejects.toThrow(RangeError);
      });

      it('reset clears the counters and bumps the version, so older writers lose', async () => {
        const user = await createdUser();
        expect(await storage.lockouts.compareAndSet(0, aLockout(user.id, { version: 1 }))).toBe(true);
        const locked = aLockout(user.id, { failedCount: 0, lockLevel: 2, lockedUntil: at(60_000), version: 2 });
        expect(await storage.lockouts.compareAndSet(1, locked)).toBe(true);
        await storage.lockouts.reset(user.id);
        expect(await storage.lockouts.find(user.id)).toEqual({
          userId: user.id,
          failedCount: 0,
          lockLevel: 0,
          lockedUntil: null,
          version: 3,
        });
        expect(await storage.lockouts.compareAndSet(2, aLockout(user.id, { failedCount: 5, version: 3 }))).toBe(false);
        expect(await storage.lockouts.compareAndSet(3, aLockout(user.id, { failedCount: 1, version: 4 }))).toBe(true);
      });

      it('reset of a user without a row does nothing', async () => {
        const user = await createdUser();
        await storage.lockouts.reset(user.id);
        expect(await storage.lockouts.find(user.id)).toBeUndefined();
      });
    });

    describe('settings', () => {
      it('setIfAbsent keeps the first value', async () => {
        expect(await storage.settings.get('key-check')).toBeUndefined();
        expect(await storage.settings.setIfAbsent('key-check', 'first')).toBe('first');
        expect(await storage.settings.setIfAbsent('key-check', 'second')).toBe('first');
        expect(await storage.settings.get('key-check')).toBe('first');
      });

      it('set inserts and overwrites', async () => {
        await storage.settings.set('issuer', 'Acme');
        expect(await storage.settings.get('issuer')).toBe('Acme');
        await storage.settings.set('issuer', 'Acme Corp');
        expect(await storage.settings.get('issuer')).toBe('Acme Corp');
        expect(await storage.settings.setIfAbsent('issuer', 'Other')).toBe('Acme Corp');
      });
    });

    describe('schema', () => {
      it("deletes a user's rows with the user (ON DELETE CASCADE)", async () => {
        const { user, factor } = await activeFactor();
        const family = aSessionFamily(user.id);
        await storage.sessions.createFamily(family);
        const refresh = aRefreshToken(family);
        await storage.sessions.insertRefreshToken(refresh);
        const apiToken = anApiToken(user.id);
        await storage.apiTokens.insert(apiToken);
        const flow = aFlow(user.id);
        await storage.flows.insert(flow);
        expect(await storage.lockouts.compareAndSet(0, aLockout(user.id))).toBe(true);
        const bystander = await activeFactor();

        await storage.db.deleteFrom('users').where('id', '=', user.id).execute();

        expect(await storage.factors.findById(factor.id)).toBeUndefined();
        expect(await storage.sessions.findFamily(family.id)).toBeUndefined();
        expect(await storage.sessions.findRefreshTokenByHash(refresh.tokenHash)).toBeUndefined();
        expect(await storage.apiTokens.findByHash(apiToken.tokenHash)).toBeUndefined();
        expect(await storage.flows.findById(flow.id)).toBeUndefined();
        expect(await storage.lockouts.find(user.id)).toBeUndefined();
        expect(await storage.factors.findById(bystander.factor.id)).toBeDefined();
      });

      it('refuses rows for a user that does not exist (foreign keys are on)', async () => {
        await expect(storage.factors.insertPending(aPendingFactor('no-such-user'))).rejects.toThrow();
        await expect(storage.flows.insert(aFlow('no-such-user'))).rejects.toThrow();
      });

      it('round-trips times exactly, including ones past 2038 and before 1970', async () => {
        const user = await createdUser({ createdAt: new Date(Date.UTC(2300, 0, 1, 0, 0, 0, 1)) });
        expect((await storage.users.findById(user.id))?.createdAt).toEqual(user.createdAt);
        const old = await createdUser({ createdAt: new Date(-1) });
        expect((await storage.users.findById(old.id))?.createdAt.getTime()).toBe(-1);
        const found = await storage.users.findById(user.id);
        expect(found?.createdAt).toBeInstanceOf(Date);
      });

      it('refuses to store an invalid Date', async () => {
        await expect(storage.users.create(aUser({ createdAt: new Date(Number.NaN) }))).rejects.toThrow(RangeError);
      });
    });
  });

  describeSecondFactorContract(kind);
}
