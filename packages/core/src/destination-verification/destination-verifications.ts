import { EMAIL_PATTERN } from '../accounts/account-rules.js';
import type { SecurityEvent } from '../audit/events.js';
import type { Actor } from '../auth/actor.js';
import type { Clock } from '../clock.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import { newId } from '../crypto/random.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { type DeliveredCodeService, maskDestination } from '../delivery/delivered-code-service.js';
import { TesseraError } from '../errors/tessera-error.js';
import { changeContextFor, type HistoryService } from '../history/history-service.js';
import { normalizePhoneNumber } from '../methods/sms/phone-number.js';
import type {
  DeliveryChannel,
  DestinationVerificationRecord,
  DestinationVerificationStatus,
  VerifyServiceRecord,
} from '../storage/records.js';
import type { DestinationVerificationRepository } from '../storage/repositories.js';
import type { VerifyServices } from './verify-services.js';

export interface StartVerificationInput {
  channel: DeliveryChannel;
  /** E.164 phone number (sms) or e-mail address (email). */
  to: string;
  /** The name the message is sent in, instead of the service's. */
  friendlyName?: string;
}

/** Which verification a check is for: the pending one of a destination, or one by its id. */
export type VerificationTarget = { to: string } | { verificationId: string };

export interface VerificationView {
  id: string;
  serviceId: string;
  ownerId: string;
  channel: DeliveryChannel;
  /** The destination as it was normalised (E.164, or the address in lower case). */
  to: string;
  status: DestinationVerificationStatus;
  /** Whether the code was right: true once approved. */
  valid: boolean;
  sendAttempts: { channel: DeliveryChannel; sentAt: string }[];
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
}

/** The history's name for these events: they concern no factor of an account. */
export const DESTINATION_VERIFICATION_METHOD = 'destination_verification';

/** What a service with DoNotShareWarningEnabled adds to its messages. */
const DO_NOT_SHARE_WARNING = 'Don’t share this code with anyone; our employees will never ask for the code.';

const ACTION: Record<DeliveryChannel, string> = {
  sms: 'verify this phone number',
  email: 'verify this e-mail address',
};

/**
 * Destination verification: a code sent to a phone number or e-mail address that belongs to no
 * account, proving that whoever asked controls it (Twilio Verify's Verifications). The code is a
 * delivered code, with everything that holds for those: stored as a keyed hash, single use,
 * expiry, an attempt cap, the per-destination cooldown and hourly limit, and, for SMS, the client
 * account's hourly and daily-destination limits (the SMS-pumping protection, sized for a
 * platform that verifies many people's numbers). A new verification to a destination that has a
 * pending one resends: a new code under the same verification, the old code dead.
 */
export class DestinationVerifications {
  constructor(
    private readonly deps: {
      verifications: DestinationVerificationRepository;
      services: VerifyServices;
      deliveredCodes: DeliveredCodeService;
      history: Pick<HistoryService, 'record'>;
      hasher: KeyedHasher;
      secretBox: SecretBox;
      clock: Clock;
    },
  ) {}

  async start(actor: Actor, serviceId: string, input: StartVerificationInput): Promise<VerificationView> {
    const { verifications, deliveredCodes, hasher, secretBox, clock } = this.deps;
    const service = await this.deps.services.find(actor, serviceId, 'admin.manage');
    const to = normalizedDestination(input.channel, input.to);
    const destinationHash = hasher.hash(`verify:${input.channel}:${to}`);
    const now = clock.now();
    const pending = await verifications.findPending(service.id, destinationHash, now);
    const sent = await deliveredCodes.send({
      userId: service.ownerId,
      purpose: purposeOf(service.id),
      channel: input.channel,
      destination: to,
      action: ACTION[input.channel],
      issuer: input.friendlyName ?? service.friendlyName,
      digits: service.codeLength,
      ...(service.settings.doNotShareWarningEnabled ? { notice: DO_NOT_SHARE_WARNING } : {}),
      // The client IP of a platform's call is the platform's server: its account's limits count.
      clientIp: null,
      accountSmsLimits: {
        hourly: deliveredCodes.policy.verifyClientHourlySmsLimit,
        dailyDestinations: deliveredCodes.policy.verifyClientDailySmsDestinations,
      },
    });
    const attempt = { channel: input.channel, sentAt: new Date(sent.sentAt) };
    const expiresAt = new Date(sent.expiresAt);
    if (pending) {
      await deliveredCodes.invalidate(pending.codeId);
      const sendAttempts = [...pending.sendAttempts, attempt];
      if (await verifications.updatePending(pending.id, { codeId: sent.id, sendAttempts, expiresAt, updatedAt: now })) {
        const resent = { ...pending, codeId: sent.id, sendAttempts, expiresAt, updatedAt: now };
        await this.record(actor, resent, 'update', { resent: true });
        return viewOf(resent, to);
      }
    }
    const record: DestinationVerificationRecord = {
      id: newId(),
      serviceId: service.id,
      ownerId: service.ownerId,
      channel: input.channel,
      sealedDestination: '',
      destinationHash,
      status: 'pending',
      codeId: sent.id,
      sendAttempts: [attempt],
      createdAt: now,
      updatedAt: now,
      expiresAt,
    };
    record.sealedDestination = secretBox.seal(Buffer.from(to, 'utf8'), destinationSealContext(record.id));
    await verifications.insert(record);
    await this.record(actor, record, 'create');
    return viewOf(record, to);
  }

  /**
   * Checks a code. A wrong one leaves the verification pending (`valid: false`); the last try
   * that may still be made, wrong, ends it as max_attempts_reached (CODE_ATTEMPTS_EXHAUSTED, as
   * every try after it); a verification approved, canceled or expired is not found any more.
   */
  async check(actor: Actor, serviceId: string, target: VerificationTarget, code: string): Promise<VerificationView> {
    const { deliveredCodes, clock } = this.deps;
    const service = await this.deps.services.find(actor, serviceId, 'admin.manage');
    const verification = await this.pendingOf(service, target);
    const to = this.destinationOf(verification);
    if (!/^\d+$/.test(code) || code.length !== service.codeLength) {
      throw new TesseraError('CODE_MALFORMED', {
        message: `The code must be exactly ${service.codeLength} digits.`,
        meta: { field: 'Code' },
      });
    }
    const check = await deliveredCodes.check(verification.codeId, service.ownerId, [purposeOf(service.id)], code);
    const now = clock.now();
    if (check.ok) {
      await this.finish(actor, verification, 'approved', now);
      return viewOf({ ...verification, status: 'approved', updatedAt: now }, to);
    }
    if (check.reason === 'exhausted') {
      await this.finish(actor, verification, 'max_attempts_reached', now);
      throw new TesseraError('CODE_ATTEMPTS_EXHAUSTED', {
        message: 'Max check attempts reached: start a new verification.',
      });
    }
    if (check.reason === 'expired') {
      await this.finish(actor, verification, 'expired', now);
      throw new TesseraError('FLOW_NOT_FOUND', { message: 'The verification expired: start a new one.' });
    }
    if (check.reason === 'used') throw new TesseraError('FLOW_NOT_FOUND', { message: 'No pending verification.' });
    return viewOf(verification, to);
  }

  async get(actor: Actor, serviceId: string, id: string): Promise<VerificationView> {
    const service = await this.deps.services.find(actor, serviceId, 'admin.read');
    const verification = await this.ofService(service, id);
    const expired = verification.status === 'pending' && verification.expiresAt <= this.deps.clock.now();
    return viewOf(expired ? { ...verification, status: 'expired' } : verification, this.destinationOf(verification));
  }

  /** Cancels a pending verification (its code dies), or approves it without a code (the caller checked otherwise). */
  async settle(
    actor: Actor,
    serviceId: string,
    id: string,
    status: 'canceled' | 'approved',
  ): Promise<VerificationView> {
    const service = await this.deps.services.find(actor, serviceId, 'admin.manage');
    const verification = await this.ofService(service, id);
    const now = this.deps.clock.now();
    if (verification.status !== 'pending' || verification.expiresAt <= now) {
      throw new TesseraError('FLOW_NOT_FOUND', { message: `No pending verification ${id}.` });
    }
    await this.deps.deliveredCodes.invalidate(verification.codeId);
    await this.finish(actor, verification, status, now);
    return viewOf({ ...verification, status, updatedAt: now }, this.destinationOf(verification));
  }

  private async pendingOf(
    service: VerifyServiceRecord,
    target: VerificationTarget,
  ): Promise<DestinationVerificationRecord> {
    const now = this.deps.clock.now();
    if ('verificationId' in target) {
      const found = await this.ofService(service, target.verificationId);
      if (found.status !== 'pending' || found.expiresAt <= now) {
        throw new TesseraError('FLOW_NOT_FOUND', { message: 'No pending verification.' });
      }
      return found;
    }
    // A check by destination names it as the start did: the channel is whichever it was sent by.
    for (const channel of ['sms', 'email'] as const) {
      let to: string;
      try {
        to = normalizedDestination(channel, target.to);
      } catch {
        continue;
      }
      const found = await this.deps.verifications.findPending(
        service.id,
        this.deps.hasher.hash(`verify:${channel}:${to}`),
        now,
      );
      if (found) return found;
    }
    throw new TesseraError('FLOW_NOT_FOUND', { message: `No pending verification for ${target.to}.` });
  }

  private async ofService(service: VerifyServiceRecord, id: string): Promise<DestinationVerificationRecord> {
    const found = await this.deps.verifications.findById(id);
    if (!found || found.serviceId !== service.id) {
      throw new TesseraError('FLOW_NOT_FOUND', { message: `No verification ${id}.` });
    }
    return found;
  }

  private async finish(
    actor: Actor,
    verification: DestinationVerificationRecord,
    status: DestinationVerificationStatus,
    now: Date,
  ): Promise<void> {
    // Only the change that ends it is recorded: of concurrent ones, the winner.
    if (await this.deps.verifications.updatePending(verification.id, { status, updatedAt: now })) {
      await this.record(actor, { ...verification, status }, 'update');
    }
  }

  /**
   * The one place a verification's event is recorded: the client account's history (who asked,
   * from where, which verification, the destination masked, the outcome), and with it, in the
   * same transaction, the audit trail: one entry per start (or resend) and one per outcome. Neither
   * holds the code or the whole destination.
   */
  private async record(
    actor: Actor,
    verification: DestinationVerificationRecord,
    action: 'create' | 'update',
    extra: { resent?: true } = {},
  ): Promise<void> {
    const named = {
      verification: verification.id,
      service: verification.serviceId,
      channel: verification.channel,
      to: maskDestination(verification.channel, this.destinationOf(verification)),
    };
    const { status } = verification;
    const auditEvent: SecurityEvent =
      status === 'pending'
        ? {
            action: 'destination_verification.started',
            userId: verification.ownerId,
            details: { ...named, resent: extra.resent === true },
          }
        : { action: 'destination_verification.finished', userId: verification.ownerId, details: { ...named, status } };
    await this.deps.history.record(
      {
        userId: verification.ownerId,
        method: DESTINATION_VERIFICATION_METHOD,
        action,
        enabled: false,
        details: { ...named, status, ...extra },
        auditEvent,
      },
      changeContextFor(actor, verification.ownerId),
    );
  }

  private destinationOf(verification: DestinationVerificationRecord): string {
    return this.deps.secretBox
      .open(verification.sealedDestination, destinationSealContext(verification.id))
      .toString('utf8');
  }
}

function purposeOf(serviceId: string): string {
  return `verify:${serviceId}`;
}

/** What a verification's sealed destination is bound to (the key rotation re-seals it so). */
export function destinationSealContext(id: string): string {
  return `destination-verification:${id}`;
}

/** The destination as a code is sent to it: E.164, or the address in lower case. */
function normalizedDestination(channel: DeliveryChannel, to: string): string {
  if (channel === 'sms') return normalizePhoneNumber(to);
  const address = to.trim().toLowerCase();
  if (!EMAIL_PATTERN.test(address)) {
    throw new TesseraError('VALIDATION_FAILED', { message: 'To must be an e-mail address.', meta: { field: 'To' } });
  }
  return address;
}

function viewOf(record: DestinationVerificationRecord, to: string): VerificationView {
  return {
    id: record.id,
    serviceId: record.serviceId,
    ownerId: record.ownerId,
    channel: record.channel,
    to,
    status: record.status,
    valid: record.status === 'approved',
    sendAttempts: record.sendAttempts.map((attempt) => ({
      channel: attempt.channel,
      sentAt: attempt.sentAt.toISOString(),
    })),
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    expiresAt: record.expiresAt.toISOString(),
  };
}
