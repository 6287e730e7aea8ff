import { describe, expect, it } from 'vitest';
import { aTrustedDevice, at } from '../record-factories.js';
import { CALLERS, type ContractContext } from './context.js';

/** Trusted devices, including concurrent rotation. */
export function describeTrustedDeviceContract(ctx: ContractContext): void {
  describe('trusted devices', () => {
    it('stores a device and finds it by hash', async () => {
      const user = await ctx.createdUser();
      const device = aTrustedDevice(user.id, { lastUsedAt: at(3) });
      await ctx.storage.trustedDevices.insert(device);
      expect(await ctx.storage.trustedDevices.findByHash(device.tokenHash)).toEqual(device);
      expect(await ctx.storage.trustedDevices.findByHash('hash-unknown')).toBeUndefined();
      await expect(
        ctx.storage.trustedDevices.insert(aTrustedDevice(user.id, { tokenHash: device.tokenHash })),
      ).rejects.toThrow();
    });

    it('rotates the token from the current hash only, once', async () => {
      const user = await ctx.createdUser();
      const device = aTrustedDevice(user.id);
      await ctx.storage.trustedDevices.insert(device);
      const expiresAt = at(60 * 24 * 3600_000);
      expect(
        await ctx.storage.trustedDevices.rotate(device.id, device.tokenHash, 'hash-next', at(1_000), expiresAt),
      ).toBe(true);
      expect(await ctx.storage.trustedDevices.findByHash(device.tokenHash)).toBeUndefined();
      expect(await ctx.storage.trustedDevices.findByHash('hash-next')).toEqual({
        ...device,
        tokenHash: 'hash-next',
        lastUsedAt: at(1_000),
        expiresAt,
      });
      // The old token again: it is no longer the current one.
      expect(
        await ctx.storage.trustedDevices.rotate(device.id, device.tokenHash, 'hash-other', at(2_000), expiresAt),
      ).toBe(false);
      expect(await ctx.storage.trustedDevices.findByHash('hash-other')).toBeUndefined();
      expect(await ctx.storage.trustedDevices.rotate('nobody', 'hash-next', 'hash-other', at(2_000), expiresAt)).toBe(
        false,
      );
    });

    it('does not rotate a revoked or expired device', async () => {
      const user = await ctx.createdUser();
      const revoked = aTrustedDevice(user.id, { revokedAt: at(1) });
      const expired = aTrustedDevice(user.id, { expiresAt: at(5_000) });
      await ctx.storage.trustedDevices.insert(revoked);
      await ctx.storage.trustedDevices.insert(expired);
      expect(await ctx.storage.trustedDevices.rotate(revoked.id, revoked.tokenHash, 'hash-a', at(2), at(9_000))).toBe(
        false,
      );
      expect(
        await ctx.storage.trustedDevices.rotate(expired.id, expired.tokenHash, 'hash-b', at(5_000), at(9_000)),
      ).toBe(false);
      expect(await ctx.storage.trustedDevices.findByHash(revoked.tokenHash)).toEqual(revoked);
      expect(await ctx.storage.trustedDevices.findByHash(expired.tokenHash)).toEqual(expired);
    });

    it("lists a user's unrevoked, unexpired devices by creation time", async () => {
      const user = await ctx.createdUser();
      const later = aTrustedDevice(user.id, { createdAt: at(2_000) });
      const earlier = aTrustedDevice(user.id, { createdAt: at(1_000) });
      await ctx.storage.trustedDevices.insert(later);
      await ctx.storage.trustedDevices.insert(earlier);
      await ctx.storage.trustedDevices.insert(aTrustedDevice(user.id, { revokedAt: at(3) }));
      await ctx.storage.trustedDevices.insert(aTrustedDevice(user.id, { expiresAt: at(10_000) }));
      await ctx.storage.trustedDevices.insert(aTrustedDevice((await ctx.createdUser()).id));
      expect(await ctx.storage.trustedDevices.listActive(user.id, at(10_000))).toEqual([earlier, later]);
      expect(await ctx.storage.trustedDevices.listActive('nobody', at(1))).toEqual([]);
    });

    it("revokes only the owner's device, keeping the first revocation time", async () => {
      const owner = await ctx.createdUser();
      const stranger = await ctx.createdUser();
      const device = aTrustedDevice(owner.id);
      await ctx.storage.trustedDevices.insert(device);
      expect(await ctx.storage.trustedDevices.revoke(device.id, stranger.id, at(500))).toBe(false);
      expect((await ctx.storage.trustedDevices.findByHash(device.tokenHash))?.revokedAt).toBeNull();
      expect(await ctx.storage.trustedDevices.revoke(device.id, owner.id, at(1_000))).toBe(true);
      expect(await ctx.storage.trustedDevices.revoke(device.id, owner.id, at(2_000))).toBe(true);
      expect((await ctx.storage.trustedDevices.findByHash(device.tokenHash))?.revokedAt).toEqual(at(1_000));
      expect(await ctx.storage.trustedDevices.listActive(owner.id, at(3_000))).toEqual([]);
      expect(await ctx.storage.trustedDevices.revoke('nobody', owner.id, at(1))).toBe(false);
    });

    it("revokes all of a user's active devices and counts them", async () => {
      const user = await ctx.createdUser();
      const other = await ctx.createdUser();
      const active = [aTrustedDevice(user.id), aTrustedDevice(user.id)];
      for (const device of active) await ctx.storage.trustedDevices.insert(device);
      const revoked = aTrustedDevice(user.id, { revokedAt: at(1) });
      await ctx.storage.trustedDevices.insert(revoked);
      await ctx.storage.trustedDevices.insert(aTrustedDevice(user.id, { expiresAt: at(500) }));
      const othersDevice = aTrustedDevice(other.id);
      await ctx.storage.trustedDevices.insert(othersDevice);

      expect(await ctx.storage.trustedDevices.revokeAllForUser(user.id, at(1_000))).toBe(2);
      for (const device of active) {
        expect((await ctx.storage.trustedDevices.findByHash(device.tokenHash))?.revokedAt).toEqual(at(1_000));
      }
      expect((await ctx.storage.trustedDevices.findByHash(revoked.tokenHash))?.revokedAt).toEqual(at(1));
      expect(await ctx.storage.trustedDevices.listActive(other.id, at(1_000))).toEqual([othersDevice]);
      expect(await ctx.storage.trustedDevices.revokeAllForUser(user.id, at(2_000))).toBe(0);
    });

    it(`lets exactly one of ${CALLERS} concurrent rotations of one token win`, async () => {
      const user = await ctx.createdUser();
      const device = aTrustedDevice(user.id);
      await ctx.storage.trustedDevices.insert(device);
      const storages = await ctx.connections({ transactions: false });
      let current = device.tokenHash;
      for (let round = 0; round < 3; round++) {
        const results = await ctx.race(storages, (s, i) =>
          s.trustedDevices.rotate(device.id, current, `hash-${round}-${i}`, at(round), at(9_000_000)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        current = `hash-${round}-${results.indexOf(true)}`;
        expect((await ctx.storage.trustedDevices.findByHash(current))?.id).toBe(device.id);
      }
    });
  });
}
