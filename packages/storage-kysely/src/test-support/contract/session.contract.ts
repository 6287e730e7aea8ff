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
