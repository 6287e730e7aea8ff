import { describe, expect, it } from 'vitest';
import { aRefreshToken, aSessionFamily, at } from '../record-factories.js';
import type { ContractContext } from './context.js';

/** Session families and refresh tokens. */
export function describeSessionContract(ctx: ContractContext): void {
  describe('sessions', () => {
    it('stores a session family and revokes it, keeping the first revocation time', async () => {
      const user = await ctx.createdUser();
      const family = aSessionFamily(user.id);
      await ctx.storage.sessions.createFamily(family);
      expect(await ctx.storage.sessions.findFamily(family.id)).toEqual(family);
      await ctx.storage.sessions.revokeFamily(family.id, at(1_001));
      await ctx.storage.sessions.revokeFamily(family.id, at(2_002));
      expect(await ctx.storage.sessions.findFamily(family.id)).toEqual({ ...family, revokedAt: at(1_001) });
      await expect(ctx.storage.sessions.revokeFamily('nobody', at(1))).resolves.toBeUndefined();
      expect(await ctx.storage.sessions.findFamily('nobody')).toBeUndefined();
      const second = aSessionFamily(user.id, { secondFactor: true });
      await ctx.storage.sessions.createFamily(second);
      expect(await ctx.storage.sessions.findFamily(second.id)).toEqual(second);
    });

    it('keeps how the sign-in was made (amr) for every token of the session', async () => {
      const user = await ctx.createdUser();
      const passkey = aSessionFamily(user.id, { secondFactor: true, amr: ['hwk', 'mfa'] });
      await ctx.storage.sessions.createFamily(passkey);
      expect(await ctx.storage.sessions.findFamily(passkey.id)).toEqual(passkey);
      const unsaid = aSessionFamily(user.id);
      await ctx.storage.sessions.createFamily(unsaid);
      expect((await ctx.storage.sessions.findFamily(unsaid.id))?.amr).toBeUndefined();
    });

    it("revokes all of a user's live families but the one kept, and no one else's", async () => {
      const user = await ctx.createdUser();
      const other = await ctx.createdUser();
      const kept = aSessionFamily(user.id);
      const ended = aSessionFamily(user.id);
      const earlier = aSessionFamily(user.id, { revokedAt: at(500) });
      const theirs = aSessionFamily(other.id);
      for (const family of [kept, ended, earlier, theirs]) await ctx.storage.sessions.createFamily(family);
      expect(await ctx.storage.sessions.revokeAllForUser(user.id, at(1_000), kept.id)).toBe(1);
      expect(await ctx.storage.sessions.findFamily(kept.id)).toEqual(kept);
      expect(await ctx.storage.sessions.findFamily(ended.id)).toEqual({ ...ended, revokedAt: at(1_000) });
      expect(await ctx.storage.sessions.findFamily(earlier.id)).toEqual(earlier);
      expect(await ctx.storage.sessions.findFamily(theirs.id)).toEqual(theirs);
      expect(await ctx.storage.sessions.revokeAllForUser(user.id, at(2_000))).toBe(1);
      expect(await ctx.storage.sessions.findFamily(kept.id)).toEqual({ ...kept, revokedAt: at(2_000) });
      expect(await ctx.storage.sessions.findFamily(theirs.id)).toEqual(theirs);
    });

    it('records the last use and its client, and keeps what sign-in stored', async () => {
      const user = await ctx.createdUser();
      const family = aSessionFamily(user.id, { clientIp: '192.0.2.1', userAgent: 'curl/8', lastUsedAt: at(100) });
      await ctx.storage.sessions.createFamily(family);
      expect(await ctx.storage.sessions.findFamily(family.id)).toEqual(family);
      await ctx.storage.sessions.recordUse(family.id, at(5_000), { clientIp: '198.51.100.7', userAgent: null });
      expect(await ctx.storage.sessions.findFamily(family.id)).toEqual({
        ...family,
        lastUsedAt: at(5_000),
        clientIp: '198.51.100.7',
        userAgent: null,
      });
    });

    it("lists a user's usable sessions, newest first: not revoked, not rotated away, not expired", async () => {
      const user = await ctx.createdUser();
      const other = await ctx.createdUser();
      const older = aSessionFamily(user.id, { createdAt: at(1_000) });
      const newer = aSessionFamily(user.id, { createdAt: at(2_000) });
      const revoked = aSessionFamily(user.id, { createdAt: at(3_000), revokedAt: at(3_500) });
      const expired = aSessionFamily(user.id, { createdAt: at(4_000) });
      const rotatedOnly = aSessionFamily(user.id, { createdAt: at(5_000) });
      const theirs = aSessionFamily(other.id);
      for (const family of [older, newer, revoked, expired, rotatedOnly, theirs]) {
        await ctx.storage.sessions.createFamily(family);
      }
      await ctx.storage.sessions.insertRefreshToken(aRefreshToken(older, { rotatedAt: at(1_500) }));
      await ctx.storage.sessions.insertRefreshToken(aRefreshToken(older));
      await ctx.storage.sessions.insertRefreshToken(aRefreshToken(newer));
      await ctx.storage.sessions.insertRefreshToken(aRefreshToken(revoked));
      await ctx.storage.sessions.insertRefreshToken(aRefreshToken(expired, { expiresAt: at(9_000) }));
      await ctx.storage.sessions.insertRefreshToken(aRefreshToken(rotatedOnly, { rotatedAt: at(5_500) }));
      await ctx.storage.sessions.insertRefreshToken(aRefreshToken(theirs));
      const listed = await ctx.storage.sessions.listActive(user.id, at(10_000));
      expect(listed.map((family) => family.id)).toEqual([newer.id, older.id]);
      expect(listed[0]).toEqual(newer);
    });

    it("revokes one of the user's own sessions, once, and never another user's", async () => {
      const user = await ctx.createdUser();
      const other = await ctx.createdUser();
      const mine = aSessionFamily(user.id);
      const theirs = aSessionFamily(other.id);
      for (const family of [mine, theirs]) await ctx.storage.sessions.createFamily(family);
      expect(await ctx.storage.sessions.revokeOwned(theirs.id, user.id, at(1_000))).toBe(false);
      expect(await ctx.storage.sessions.findFamily(theirs.id)).toEqual(theirs);
      expect(await ctx.storage.sessions.revokeOwned(mine.id, user.id, at(1_000))).toBe(true);
      expect(await ctx.storage.sessions.revokeOwned(mine.id, user.id, at(2_000))).toBe(false);
      expect(await ctx.storage.sessions.findFamily(mine.id)).toEqual({ ...mine, revokedAt: at(1_000) });
      expect(await ctx.storage.sessions.revokeOwned('nobody', user.id, at(1))).toBe(false);
    });

    it('stores a refresh token and finds it by hash', async () => {
      const user = await ctx.createdUser();
      const family = aSessionFamily(user.id);
      await ctx.storage.sessions.createFamily(family);
      const token = aRefreshToken(family);
      await ctx.storage.sessions.insertRefreshToken(token);
      expect(await ctx.storage.sessions.findRefreshTokenByHash(token.tokenHash)).toEqual(token);
      expect(await ctx.storage.sessions.findRefreshTokenByHash('unknown')).toBeUndefined();
    });

    it('refuses a second refresh token with the same hash', async () => {
      const user = await ctx.createdUser();
      const family = aSessionFamily(user.id);
      await ctx.storage.sessions.createFamily(family);
      const token = aRefreshToken(family);
      await ctx.storage.sessions.insertRefreshToken(token);
      await expect(
        ctx.storage.sessions.insertRefreshToken(aRefreshToken(family, { tokenHash: token.tokenHash })),
      ).rejects.toThrow();
    });

    it('marks a refresh token rotated only once', async () => {
      const user = await ctx.createdUser();
      const family = aSessionFamily(user.id);
      await ctx.storage.sessions.createFamily(family);
      const token = aRefreshToken(family);
      await ctx.storage.sessions.insertRefreshToken(token);
      expect(await ctx.storage.sessions.markRotated(token.id, at(3_003))).toBe(true);
      expect(await ctx.storage.sessions.markRotated(token.id, at(4_004))).toBe(false);
      expect((await ctx.storage.sessions.findRefreshTokenByHash(token.tokenHash))?.rotatedAt).toEqual(at(3_003));
      expect(await ctx.storage.sessions.markRotated('nobody', at(1))).toBe(false);
    });

    it('extends a refresh token forward only', async () => {
      const family = aSessionFamily((await ctx.createdUser()).id);
      await ctx.storage.sessions.createFamily(family);
      const token = aRefreshToken(family);
      await ctx.storage.sessions.insertRefreshToken(token);
      const later = new Date(token.expiresAt.getTime() + 60_000);
      await ctx.storage.sessions.extendRefreshToken(token.id, later);
      expect((await ctx.storage.sessions.findRefreshTokenByHash(token.tokenHash))?.expiresAt).toEqual(later);
      await ctx.storage.sessions.extendRefreshToken(token.id, token.expiresAt);
      expect((await ctx.storage.sessions.findRefreshTokenByHash(token.tokenHash))?.expiresAt).toEqual(later);
    });
  });
}
