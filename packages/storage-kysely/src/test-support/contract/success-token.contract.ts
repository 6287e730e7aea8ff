import { describe, expect, it } from 'vitest';
import { aSuccessToken, at } from '../record-factories.js';
import { CALLERS, type ContractContext } from './context.js';

/** Success tokens, including concurrent use. */
export function describeSuccessTokenContract(ctx: ContractContext): void {
  describe('success tokens', () => {
    async function storedToken(tokenHash: string) {
      return ctx.storage.db
        .selectFrom('success_tokens')
        .select(['user_id', 'used_at'])
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
    }

    it('is used once, for its operation and target, and returns its user', async () => {
      const user = await ctx.createdUser();
      const token = aSuccessToken(user.id, { operation: 'disable_factor', target: 'factor-1' });
      await ctx.storage.successTokens.insert(token);
      expect(await ctx.storage.successTokens.consume(token.tokenHash, 'disable_factor', 'factor-1', at(1_000))).toBe(
        user.id,
      );
      expect(await ctx.storage.successTokens.consume(token.tokenHash, 'disable_factor', 'factor-1', at(2_000))).toBe(
        undefined,
      );
      expect(await storedToken(token.tokenHash)).toEqual({ user_id: user.id, used_at: at(1_000).getTime() });
    });

    it('works for an operation without a target', async () => {
      const user = await ctx.createdUser();
      const token = aSuccessToken(user.id, { operation: 'change_password', target: null });
      await ctx.storage.successTokens.insert(token);
      expect(await ctx.storage.successTokens.consume(token.tokenHash, 'change_password', null, at(1))).toBe(user.id);
    });

    it('refuses another operation or target, and stays usable for its own', async () => {
      const user = await ctx.createdUser();
      const token = aSuccessToken(user.id, { operation: 'disable_factor', target: 'factor-1' });
      const untargeted = aSuccessToken(user.id, { operation: 'change_password', target: null });
      await ctx.storage.successTokens.insert(token);
      await ctx.storage.successTokens.insert(untargeted);
      const consume = (hash: string, operation: string, target: string | null) =>
        ctx.storage.successTokens.consume(hash, operation, target, at(1));
      expect(await consume(token.tokenHash, 'change_password', 'factor-1')).toBeUndefined();
      expect(await consume(token.tokenHash, 'disable_factor', 'factor-2')).toBeUndefined();
      expect(await consume(token.tokenHash, 'disable_factor', null)).toBeUndefined();
      expect(await consume(untargeted.tokenHash, 'change_password', 'factor-1')).toBeUndefined();
      expect(await consume(untargeted.tokenHash, 'change_password', '')).toBeUndefined();
      expect((await storedToken(token.tokenHash))?.used_at).toBeNull();
      expect((await storedToken(untargeted.tokenHash))?.used_at).toBeNull();
      expect(await consume(token.tokenHash, 'disable_factor', 'factor-1')).toBe(user.id);
      expect(await consume(untargeted.tokenHash, 'change_password', null)).toBe(user.id);
    });

    it("with an owner given, refuses another user's token and leaves it usable by its owner", async () => {
      const owner = await ctx.createdUser();
      const other = await ctx.createdUser();
      const token = aSuccessToken(owner.id, { operation: 'change_password', target: null });
      await ctx.storage.successTokens.insert(token);
      expect(await ctx.storage.successTokens.consume(token.tokenHash, 'change_password', null, at(1), other.id)).toBe(
        undefined,
      );
      expect((await storedToken(token.tokenHash))?.used_at).toBeNull();
      expect(await ctx.storage.successTokens.consume(token.tokenHash, 'change_password', null, at(2), owner.id)).toBe(
        owner.id,
      );
    });

    it('refuses a token at or after its expiry, and an unknown one', async () => {
      const user = await ctx.createdUser();
      const token = aSuccessToken(user.id, { target: null, expiresAt: at(300_000) });
      await ctx.storage.successTokens.insert(token);
      expect(await ctx.storage.successTokens.consume(token.tokenHash, token.operation, null, at(300_000))).toBe(
        undefined,
      );
      expect(await ctx.storage.successTokens.consume('hash-unknown', token.operation, null, at(1))).toBeUndefined();
      expect(await ctx.storage.successTokens.consume(token.tokenHash, token.operation, null, at(299_999))).toBe(
        user.id,
      );
    });

    it('refuses a token stored as used', async () => {
      const user = await ctx.createdUser();
      const token = aSuccessToken(user.id, { target: null, usedAt: at(1) });
      await ctx.storage.successTokens.insert(token);
      expect(await ctx.storage.successTokens.consume(token.tokenHash, token.operation, null, at(2))).toBeUndefined();
    });

    it('refuses a second token with the same hash', async () => {
      const user = await ctx.createdUser();
      const token = aSuccessToken(user.id);
      await ctx.storage.successTokens.insert(token);
      await expect(
        ctx.storage.successTokens.insert(aSuccessToken(user.id, { tokenHash: token.tokenHash })),
      ).rejects.toThrow();
    });

    it(`lets exactly one of ${CALLERS} concurrent uses of one token win`, async () => {
      const user = await ctx.createdUser();
      const storages = await ctx.connections({ transactions: false });
      for (let round = 0; round < 3; round++) {
        const token = aSuccessToken(user.id);
        await ctx.storage.successTokens.insert(token);
        const results = await ctx.race(storages, (s) =>
          s.successTokens.consume(token.tokenHash, token.operation, token.target, at(round)),
        );
        expect(results.filter((result) => result !== undefined)).toEqual([user.id]);
      }
    });
  });
}
