import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import { findByKeyedHash, type KeyedHasher } from '../crypto/keyed-hash.js';
import { newId, newOpaqueToken } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { TrustedDeviceRecord } from '../storage/records.js';
import type { TrustedDeviceRepository, UnitOfWork } from '../storage/repositories.js';
import type { WebhookOutbox } from '../webhooks/webhook-outbox.js';

export const TRUSTED_DEVICE_DAYS = 30;

export interface TrustedDeviceView {
  id: string;
  label: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
}

export interface IssuedDeviceToken {
  deviceToken: string;
  expiresAt: string;
}

/**
 * "Remember this device": a bearer token kept by the device that skips the second factor for
 * 30 days. It rotates on every use, so a copied token stops working once the device signs in.
 */
export class TrustedDeviceService {
  constructor(
    private readonly deps: {
      devices: TrustedDeviceRepository;
      hasher: KeyedHasher;
      clock: Clock;
      authorizer: Authorizer;
      storage: UnitOfWork;
      outbox: WebhookOutbox;
    },
  ) {}

  /** A device remembered at a sign-in: it is new, and the `signin.new_device` event says so in the same transaction. */
  async remember(userId: string, label: string): Promise<IssuedDeviceToken> {
    const now = this.deps.clock.now();
    const deviceToken = newOpaqueToken('tdv');
    const expiresAt = this.expiry(now);
    const id = newId();
    const name = label.slice(0, 200);
    await this.deps.storage.transaction(async (tx) => {
      await tx.trustedDevices.insert({
        id,
        userId,
        tokenHash: this.deps.hasher.hash(deviceToken),
        label: name,
        createdAt: now,
        expiresAt,
        lastUsedAt: null,
        revokedAt: null,
      });
      await this.deps.outbox.enqueue(tx, { type: 'signin.new_device', userId, data: { deviceId: id, label: name } });
    });
    return { deviceToken, expiresAt: expiresAt.toISOString() };
  }

  /** A fresh token if `deviceToken` is this user's live device token; undefined otherwise. */
  async redeem(userId: string, deviceToken: string): Promise<IssuedDeviceToken | undefined> {
    const { devices, hasher, clock } = this.deps;
    const now = clock.now();
    // A device remembered under a previous secret key is found by its old hash; the rotation
    // below stores the next token's hash under the current key.
    const match = await findByKeyedHash(hasher, deviceToken, (hash) => devices.findByHash(hash));
    const device = match?.found;
    if (!match || !device || device.userId !== userId || device.revokedAt || device.expiresAt <= now) return undefined;
    const next = newOpaqueToken('tdv');
    const expiresAt = this.expiry(now);
    if (!(await devices.rotate(device.id, match.hash, hasher.hash(next), now, expiresAt))) return undefined;
    return { deviceToken: next, expiresAt: expiresAt.toISOString() };
  }

  async list(actor: Actor): Promise<TrustedDeviceView[]> {
    const userId = await this.deps.authorizer.own(actor, 'own.read');
    return (await this.deps.devices.listActive(userId, this.deps.clock.now())).map(toView);
  }

  async revoke(actor: Actor, id: string): Promise<void> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    if (!(await this.deps.devices.revoke(id, userId, this.deps.clock.now()))) {
      throw new TesseraError('TRUSTED_DEVICE_NOT_FOUND');
    }
  }

  async revokeAll(userId: string): Promise<number> {
    return this.deps.devices.revokeAllForUser(userId, this.deps.clock.now());
  }

  private expiry(now: Date): Date {
    return new Date(now.getTime() + TRUSTED_DEVICE_DAYS * 86_400_000);
  }
}

function toView(device: TrustedDeviceRecord): TrustedDeviceView {
  return {
    id: device.id,
    label: device.label,
    createdAt: device.createdAt.toISOString(),
    expiresAt: device.expiresAt.toISOString(),
    lastUsedAt: device.lastUsedAt?.toISOString() ?? null,
  };
}
