import { describe, expect, it } from 'vitest';
import { anActiveFactor, at, aWebAuthnChallenge, aWebAuthnCredential } from '../record-factories.js';
import { CALLERS, type ContractContext } from './context.js';

/** Security keys (one row each under the user's webauthn factor) and the challenges handed to browsers. */
export function describeWebAuthnContract(ctx: ContractContext): void {
  /** A user with an active webauthn factor, the marker their keys hang from. */
  async function userWithFactor() {
    const user = await ctx.createdUser();
    const factor = anActiveFactor(user.id, { kind: 'webauthn' });
    expect(await ctx.storage.factors.insertActive(factor)).toBe('inserted');
    return { user, factor };
  }

  describe('webauthn credentials', () => {
    it('stores every field of a key and finds it by its credential id', async () => {
      const { user, factor } = await userWithFactor();
      const key = aWebAuthnCredential(user.id, factor.id, {
        signCount: 41,
        transports: ['internal', 'hybrid'],
        backupEligible: true,
        backedUp: true,
        discoverable: false,
        userVerified: false,
        lastUsedAt: at(5_005),
      });
      expect(await ctx.storage.webauthnCredentials.insert(key)).toBe(true);
      expect(await ctx.storage.webauthnCredentials.findByCredentialId(key.credentialId)).toEqual(key);
      expect(await ctx.storage.webauthnCredentials.findByCredentialId('unknown')).toBeUndefined();
    });

    it("refuses a credential id registered already, to anyone, leaving the first owner's key as it was", async () => {
      const first = await userWithFactor();
      const second = await userWithFactor();
      const key = aWebAuthnCredential(first.user.id, first.factor.id);
      expect(await ctx.storage.webauthnCredentials.insert(key)).toBe(true);
      const copy = aWebAuthnCredential(second.user.id, second.factor.id, { credentialId: key.credentialId });
      expect(await ctx.storage.webauthnCredentials.insert(copy)).toBe(false);
      expect(await ctx.storage.webauthnCredentials.findByCredentialId(key.credentialId)).toEqual(key);
      expect(await ctx.storage.webauthnCredentials.countByUser(second.user.id)).toBe(0);
    });

    it("lists and counts a user's keys, oldest first, and no one else's", async () => {
      const { user, factor } = await userWithFactor();
      const other = await userWithFactor();
      const newer = aWebAuthnCredential(user.id, factor.id, { createdAt: at(2_000) });
      const older = aWebAuthnCredential(user.id, factor.id, { createdAt: at(1_000) });
      const theirs = aWebAuthnCredential(other.user.id, other.factor.id);
      for (const key of [newer, older, theirs]) await ctx.storage.webauthnCredentials.insert(key);
      expect(await ctx.storage.webauthnCredentials.listByUser(user.id)).toEqual([older, newer]);
      expect(await ctx.storage.webauthnCredentials.countByUser(user.id)).toBe(2);
      expect(await ctx.storage.webauthnCredentials.countByUser('nobody')).toBe(0);
      expect(await ctx.storage.webauthnCredentials.listByUser('nobody')).toEqual([]);
    });

    it('records a use only while the counter is the one read', async () => {
      const { user, factor } = await userWithFactor();
      const key = aWebAuthnCredential(user.id, factor.id, { signCount: 7 });
      await ctx.storage.webauthnCredentials.insert(key);
      const use = { signCount: 8, backedUp: true, lastUsedAt: at(3_003) };
      expect(await ctx.storage.webauthnCredentials.recordUse(key.id, 6, use)).toBe(false);
      expect(await ctx.storage.webauthnCredentials.findByCredentialId(key.credentialId)).toEqual(key);
      expect(await ctx.storage.webauthnCredentials.recordUse(key.id, 7, use)).toBe(true);
      expect(await ctx.storage.webauthnCredentials.findByCredentialId(key.credentialId)).toEqual({ ...key, ...use });
      expect(await ctx.storage.webauthnCredentials.recordUse(key.id, 7, { ...use, signCount: 9 })).toBe(false);
      expect(await ctx.storage.webauthnCredentials.recordUse('nobody', 0, use)).toBe(false);
    });

    it(`lets exactly one of ${CALLERS} concurrent uses read with one counter win`, async () => {
      const { user, factor } = await userWithFactor();
      const key = aWebAuthnCredential(user.id, factor.id, { signCount: 1 });
      await ctx.storage.webauthnCredentials.insert(key);
      const storages = await ctx.connections({ transactions: false });
      const results = await ctx.race(storages, (s, i) =>
        s.webauthnCredentials.recordUse(key.id, 1, { signCount: 2 + i, backedUp: false, lastUsedAt: at(i) }),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect((await ctx.storage.webauthnCredentials.findByCredentialId(key.credentialId))?.signCount).toBe(2 + winner);
    });

    it("renames and deletes only the owner's key", async () => {
      const { user, factor } = await userWithFactor();
      const other = await userWithFactor();
      const key = aWebAuthnCredential(user.id, factor.id);
      await ctx.storage.webauthnCredentials.insert(key);
      expect(await ctx.storage.webauthnCredentials.rename(key.id, other.user.id, 'mine now')).toBe(false);
      expect(await ctx.storage.webauthnCredentials.delete(key.id, other.user.id)).toBe(false);
      expect(await ctx.storage.webauthnCredentials.findByCredentialId(key.credentialId)).toEqual(key);
      expect(await ctx.storage.webauthnCredentials.rename(key.id, user.id, 'Desk key')).toBe(true);
      expect((await ctx.storage.webauthnCredentials.findByCredentialId(key.credentialId))?.name).toBe('Desk key');
      expect(await ctx.storage.webauthnCredentials.delete(key.id, user.id)).toBe(true);
      expect(await ctx.storage.webauthnCredentials.delete(key.id, user.id)).toBe(false);
      expect(await ctx.storage.webauthnCredentials.findByCredentialId(key.credentialId)).toBeUndefined();
    });

    it('goes with its factor', async () => {
      const { user, factor } = await userWithFactor();
      const key = aWebAuthnCredential(user.id, factor.id);
      await ctx.storage.webauthnCredentials.insert(key);
      expect(await ctx.storage.factors.delete(factor.id)).toBe(true);
      expect(await ctx.storage.webauthnCredentials.countByUser(user.id)).toBe(0);
    });
  });

  describe('webauthn challenges', () => {
    it('is used once, for its purpose, and returns what was stored', async () => {
      const user = await ctx.createdUser();
      const challenge = aWebAuthnChallenge({ userId: user.id, purpose: 'disable' });
      await ctx.storage.webauthnChallenges.insert(challenge);
      expect(await ctx.storage.webauthnChallenges.consume(challenge.id, 'sign_in', at(1))).toBeUndefined();
      expect(await ctx.storage.webauthnChallenges.consume(challenge.id, 'disable', at(1_001))).toEqual({
        ...challenge,
        usedAt: at(1_001),
      });
      expect(await ctx.storage.webauthnChallenges.consume(challenge.id, 'disable', at(1_002))).toBeUndefined();
      expect(await ctx.storage.webauthnChallenges.consume('nobody', 'disable', at(1))).toBeUndefined();
    });

    it('keeps a passwordless challenge, bound to no flow and no user', async () => {
      const challenge = aWebAuthnChallenge({ purpose: 'passkey', flowId: null, userId: null });
      await ctx.storage.webauthnChallenges.insert(challenge);
      expect(await ctx.storage.webauthnChallenges.consume(challenge.id, 'passkey', at(1))).toEqual({
        ...challenge,
        usedAt: at(1),
      });
    });

    it('refuses an expired challenge, at its expiry and after', async () => {
      const challenge = aWebAuthnChallenge({ expiresAt: at(60_000) });
      await ctx.storage.webauthnChallenges.insert(challenge);
      expect(await ctx.storage.webauthnChallenges.consume(challenge.id, challenge.purpose, at(60_000))).toBeUndefined();
      expect(await ctx.storage.webauthnChallenges.consume(challenge.id, challenge.purpose, at(90_000))).toBeUndefined();
      expect(await ctx.storage.webauthnChallenges.consume(challenge.id, challenge.purpose, at(59_999))).toMatchObject({
        id: challenge.id,
      });
    });

    it('sweeps expired challenges away as new ones are stored, keeping live ones', async () => {
      const expired = aWebAuthnChallenge({ createdAt: at(-120_000), expiresAt: at(-60_000) });
      const live = aWebAuthnChallenge();
      await ctx.storage.webauthnChallenges.insert(expired);
      await ctx.storage.webauthnChallenges.insert(live);
      const ids = await ctx.storage.db.selectFrom('webauthn_challenges').select('id').execute();
      expect(ids.map((row) => row.id)).toEqual([live.id]);
    });

    it(`gives one challenge to exactly one of ${CALLERS} concurrent callers`, async () => {
      const storages = await ctx.connections({ transactions: false });
      for (let round = 0; round < 3; round++) {
        const challenge = aWebAuthnChallenge();
        await ctx.storage.webauthnChallenges.insert(challenge);
        const results = await ctx.race(storages, (s) =>
          s.webauthnChallenges.consume(challenge.id, challenge.purpose, at(round)),
        );
        expect(results.filter((result) => result !== undefined).map((result) => result?.id)).toEqual([challenge.id]);
      }
    });
  });
}
