import { describe, expect, it } from 'vitest';
import { aFlow, anApiToken, aPendingFactor, at, T0 } from '../record-factories.js';
import type { ContractContext } from './context.js';

const KEY_A = 'aaaaaaaaaaaa';
const KEY_B = 'bbbbbbbbbbbb';
const sealedUnder = (keyId: string, body = 'body') => `v1.${keyId}.iv.${body}`;

/** The census and compare-and-set rewrites behind secret-key rotation. */
export function describeSecretKeyContract(ctx: ContractContext): void {
  describe('secret keys', () => {
    it('counts sealed values by the key they name, and lists those not under a key in id order', async () => {
      for (const keyId of [KEY_A, KEY_A, KEY_B]) {
        const user = await ctx.createdUser();
        await ctx.storage.factors.insertPending(
          aPendingFactor(user.id, { details: { sealedSecret: sealedUnder(keyId) } }),
        );
      }
      // A phone stored in clear (before phones were sealed) is not a sealed value.
      await ctx.createdUser({ phone: '+359888000111' });
      await ctx.createdUser({ phone: sealedUnder(KEY_B) });

      const counts = await ctx.storage.secretKeys.countSealed();
      expect(counts).toEqual(
        expect.arrayContaining([
          { column: 'totp_secret', keyId: KEY_A, count: 2 },
          { column: 'totp_secret', keyId: KEY_B, count: 1 },
          { column: 'user_phone', keyId: KEY_B, count: 1 },
        ]),
      );
      expect(counts).toHaveLength(3);

      const notUnderB = await ctx.storage.secretKeys.listSealedNotUnder('totp_secret', KEY_B, null, 100);
      expect(notUnderB).toHaveLength(2);
      expect(notUnderB.every((row) => row.sealed === sealedUnder(KEY_A))).toBe(true);
      const ids = notUnderB.map((row) => row.id);
      expect(ids).toEqual([...ids].sort());
      const firstPage = await ctx.storage.secretKeys.listSealedNotUnder('totp_secret', KEY_B, null, 1);
      expect(firstPage.map((row) => row.id)).toEqual(ids.slice(0, 1));
      const nextPage = await ctx.storage.secretKeys.listSealedNotUnder('totp_secret', KEY_B, ids[0] ?? null, 1);
      expect(nextPage.map((row) => row.id)).toEqual(ids.slice(1));
    });

    it('replaces a sealed value only if it still holds the value read', async () => {
      const user = await ctx.createdUser({ phone: sealedUnder(KEY_A, 'first') });
      const { secretKeys } = ctx.storage;
      expect(
        await secretKeys.replaceSealed('user_phone', user.id, sealedUnder(KEY_A, 'stale'), sealedUnder(KEY_B)),
      ).toBe(false);
      expect((await ctx.storage.users.findById(user.id))?.phone).toBe(sealedUnder(KEY_A, 'first'));
      expect(
        await secretKeys.replaceSealed('user_phone', user.id, sealedUnder(KEY_A, 'first'), sealedUnder(KEY_B)),
      ).toBe(true);
      expect((await ctx.storage.users.findById(user.id))?.phone).toBe(sealedUnder(KEY_B));
    });

    it('tags untagged hashes once and counts usable hashes by key', async () => {
      const user = await ctx.createdUser();
      const untagged = anApiToken(user.id, { tokenHash: 'digestUntagged' });
      const tagged = anApiToken(user.id, { tokenHash: `${KEY_B}.digestTagged` });
      const revoked = anApiToken(user.id, { tokenHash: 'digestRevoked', revokedAt: T0 });
      for (const token of [untagged, tagged, revoked]) await ctx.storage.apiTokens.insert(token);

      const before = await ctx.storage.secretKeys.countHashes(at(0));
      expect(before.filter((count) => count.column === 'api_tokens')).toEqual(
        expect.arrayContaining([
          { column: 'api_tokens', keyId: null, count: 1 },
          { column: 'api_tokens', keyId: KEY_B, count: 1 },
        ]),
      );
      expect(await ctx.storage.secretKeys.tagUntaggedHashes(KEY_A)).toBe(2);
      expect(await ctx.storage.secretKeys.tagUntaggedHashes(KEY_A)).toBe(0);
      expect(await ctx.storage.apiTokens.findByHash(`${KEY_A}.digestUntagged`)).toMatchObject({ id: untagged.id });
      expect(await ctx.storage.apiTokens.findByHash(`${KEY_B}.digestTagged`)).toMatchObject({ id: tagged.id });
      const after = (await ctx.storage.secretKeys.countHashes(at(0))).filter((count) => count.column === 'api_tokens');
      expect(after).toEqual(
        expect.arrayContaining([
          { column: 'api_tokens', keyId: KEY_A, count: 1 },
          { column: 'api_tokens', keyId: KEY_B, count: 1 },
        ]),
      );
      expect(after).toHaveLength(2);
    });

    it('re-hashes an API token only from the hash it still has', async () => {
      const user = await ctx.createdUser();
      const token = anApiToken(user.id, { tokenHash: `${KEY_A}.old` });
      await ctx.storage.apiTokens.insert(token);
      expect(await ctx.storage.apiTokens.replaceHash(token.id, `${KEY_A}.other`, `${KEY_B}.new`)).toBe(false);
      expect(await ctx.storage.apiTokens.replaceHash(token.id, `${KEY_A}.old`, `${KEY_B}.new`)).toBe(true);
      expect(await ctx.storage.apiTokens.findByHash(`${KEY_B}.new`)).toMatchObject({ id: token.id });
    });

    it('lists live flows of a kind and replaces their data, and settings, by compare-and-set', async () => {
      const user = await ctx.createdUser();
      const live = aFlow(user.id, { kind: 'contact_change', data: '{"sealedValue":"a"}' });
      const expired = aFlow(user.id, { kind: 'contact_change', expiresAt: at(-1) });
      const other = aFlow(user.id, { kind: 'sign-in' });
      for (const flow of [live, expired, other]) await ctx.storage.flows.insert(flow);
      const { secretKeys } = ctx.storage;
      expect(await secretKeys.listLiveFlows('contact_change', at(0))).toEqual([{ id: live.id, data: live.data }]);
      expect(await secretKeys.replaceFlowData(live.id, '{"sealedValue":"stale"}', '{"sealedValue":"b"}')).toBe(false);
      expect(await secretKeys.replaceFlowData(live.id, live.data, '{"sealedValue":"b"}')).toBe(true);
      expect(await ctx.storage.flows.findById(live.id)).toMatchObject({ data: '{"sealedValue":"b"}', version: 1 });

      await ctx.storage.settings.set('sealed_setting', 'one');
      expect(await secretKeys.replaceSetting('sealed_setting', 'stale', 'two')).toBe(false);
      expect(await secretKeys.replaceSetting('sealed_setting', 'one', 'two')).toBe(true);
      expect(await ctx.storage.settings.get('sealed_setting')).toBe('two');
    });
  });
}
