import { describe, expect, it } from 'vitest';
import { anApiToken, at } from '../record-factories.js';
import type { ContractContext } from './context.js';

/** API tokens. */
export function describeApiTokenContract(ctx: ContractContext): void {
  describe('API tokens', () => {
    it('stores a token and finds it by hash', async () => {
      const user = await ctx.createdUser();
      const token = anApiToken(user.id, { lastUsedAt: at(17) });
      await ctx.storage.apiTokens.insert(token);
      expect(await ctx.storage.apiTokens.findByHash(token.tokenHash)).toEqual(token);
      expect(await ctx.storage.apiTokens.findByHash('unknown')).toBeUndefined();
    });

    it('findWithOwnerByHash returns a token with its scope and owner until it is revoked', async () => {
      const user = await ctx.createdUser();
      const token = anApiToken(user.id, { scope: 'read' });
      await ctx.storage.apiTokens.insert(token);
      expect(await ctx.storage.apiTokens.findWithOwnerByHash(token.tokenHash)).toEqual({
        tokenId: token.id,
        scope: 'read',
        passwordOnly: false,
        lastUsedAt: null,
        owner: user,
      });
      const passwordOnly = anApiToken(user.id, { passwordOnly: true });
      await ctx.storage.apiTokens.insert(passwordOnly);
      expect(await ctx.storage.apiTokens.findWithOwnerByHash(passwordOnly.tokenHash)).toMatchObject({
        passwordOnly: true,
      });
      expect(await ctx.storage.apiTokens.findByHash(passwordOnly.tokenHash)).toEqual(passwordOnly);
      expect(await ctx.storage.apiTokens.findWithOwnerByHash('unknown')).toBeUndefined();
      expect(await ctx.storage.apiTokens.revoke(token.id, user.id, at(5))).toBe(true);
      expect(await ctx.storage.apiTokens.findWithOwnerByHash(token.tokenHash)).toBeUndefined();
    });

    it('recordUse writes the last use only when the stored one is older than `since`', async () => {
      const user = await ctx.createdUser();
      const token = anApiToken(user.id);
      await ctx.storage.apiTokens.insert(token);
      await ctx.storage.apiTokens.recordUse(token.id, at(100), at(40));
      expect((await ctx.storage.apiTokens.findByHash(token.tokenHash))?.lastUsedAt).toEqual(at(100));
      await ctx.storage.apiTokens.recordUse(token.id, at(130), at(70));
      expect((await ctx.storage.apiTokens.findByHash(token.tokenHash))?.lastUsedAt).toEqual(at(100));
      await ctx.storage.apiTokens.recordUse(token.id, at(200), at(140));
      expect((await ctx.storage.apiTokens.findWithOwnerByHash(token.tokenHash))?.lastUsedAt).toEqual(at(200));
    });

    it('refuses a second token with the same hash', async () => {
      const user = await ctx.createdUser();
      const token = anApiToken(user.id);
      await ctx.storage.apiTokens.insert(token);
      await expect(ctx.storage.apiTokens.insert(anApiToken(user.id, { tokenHash: token.tokenHash }))).rejects.toThrow();
    });

    it("lists a user's tokens by creation time", async () => {
      const user = await ctx.createdUser();
      const later = anApiToken(user.id, { createdAt: at(2_000) });
      const earlier = anApiToken(user.id, { createdAt: at(1_000) });
      await ctx.storage.apiTokens.insert(later);
      await ctx.storage.apiTokens.insert(earlier);
      await ctx.storage.apiTokens.insert(anApiToken((await ctx.createdUser()).id));
      expect((await ctx.storage.apiTokens.listByUser(user.id)).map((t) => t.id)).toEqual([earlier.id, later.id]);
    });

    it("revokes only the owner's token, keeping the first revocation time", async () => {
      const owner = await ctx.createdUser();
      const stranger = await ctx.createdUser();
      const token = anApiToken(owner.id);
      await ctx.storage.apiTokens.insert(token);
      expect(await ctx.storage.apiTokens.revoke(token.id, stranger.id, at(500))).toBe(false);
      expect((await ctx.storage.apiTokens.findByHash(token.tokenHash))?.revokedAt).toBeNull();
      expect(await ctx.storage.apiTokens.revoke(token.id, owner.id, at(1_000))).toBe(true);
      expect(await ctx.storage.apiTokens.revoke(token.id, owner.id, at(2_000))).toBe(true);
      expect((await ctx.storage.apiTokens.findByHash(token.tokenHash))?.revokedAt).toEqual(at(1_000));
      expect(await ctx.storage.apiTokens.revoke('nobody', owner.id, at(1))).toBe(false);
    });
  });
}
