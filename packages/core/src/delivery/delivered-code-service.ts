import type { Clock } from '../clock.js';
import { findByKeyedHash, type KeyedHasher } from '../crypto/keyed-hash.js';
import { newNumericCode } from '../crypto/numeric-code.js';
import { newId } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { Logger } from '../logger.js';
import { type CoreMetrics, noCoreMetrics } from '../metrics/core-metrics.js';
import type { DeliveredCodeRecord, DeliveryChannel } from '../storage/records.js';
import type { DeliveredCodeRepository, SendLimitRefusal } from '../storage/repositories.js';
import type { Delivery } from './delivery-ports.js';

export interface DeliveredCodePolicy {
  /** Digits per code: 6 by default, 4 to 10 allowed. */
  digits: number;
  ttlSeconds: number;
  maxAttempts: number;
  /** Seconds between two sends to one recipient for one purpose (sign-in, enable, disable, …). */
  resendCooldownSeconds: number;
  /** Sends per recipient in any rolling hour. */
  hourlyLimit: number;
  /** SMS sends per account in any rolling hour, whatever the numbers. */
  accountHourlySmsLimit: number;
  /** Different phone numbers one account may have codes sent to in any rolling day. */
  accountDailySmsDestinations: number;
  /** Different phone numbers one client IP address may have codes sent to in any rolling day. */
  clientDailySmsDestinations: number;
  /** Calling codes (`+359`) SMS numbers may start with at enrollment; null: every country. */
  smsCountries: readonly string[] | null;
  /**
   * Destination verifications (codes to numbers that belong to no account) by SMS for one client
   * account in any rolling hour: a platform verifies its own users' numbers, so this stands in
   * for the per-account and per-address limits, which count one person's numbers.
   */
  verifyClientHourlySmsLimit: number;
  /** Different phone numbers one client account may send destination verifications to in any rolling day. */
  verifyClientDailySmsDestinations: number;
}

export const DEFAULT_DELIVERED_CODE_POLICY: DeliveredCodePolicy = {
  digits: 6,
  ttlSeconds: 10 * 60,
  maxAttempts: 5,
  resendCooldownSeconds: 60,
  hourlyLimit: 10,
  accountHourlySmsLimit: 10,
  accountDailySmsDestinations: 3,
  clientDailySmsDestinations: 10,
  smsCountries: null,
  verifyClientHourlySmsLimit: 200,
  verifyClientDailySmsDestinations: 1000,
};

export interface SendRequest {
  userId: string;
  purpose: string;
  channel: DeliveryChannel;
  /** E.164 phone number or e-mail address. */
  destination: string;
  /** What the code is for, in words: "sign in", "enable SMS codes". */
  action: string;
  issuer: string;
  /** The id to give the code (a recovery flow uses its own id); a new one by default. */
  id?: string;
  /** The IP address of the client that asked (the actor's); null when unknown. */
  clientIp?: string | null;
  /** A sentence added after the message's own (a verify service's do-not-share warning). */
  notice?: string;
  /** Digits of the code when not the policy's (a verify service's own code length, 4 to 10). */
  digits?: number;
  /** The per-account SMS limits when not the policy's (a client account verifying destinations). */
  accountSmsLimits?: { hourly: number; dailyDestinations: number };
}

/** What callers may show: when the code was sent, until when it is good, and to where (masked). */
export interface SentCode {
  id: string;
  channel: DeliveryChannel;
  sentAt: string;
  expiresAt: string;
  destination: string;
  /** How many digits the code has, so a form can submit on the last one. */
  digits: number;
}

export type DeliveredCodeCheck = { ok: true } | { ok: false; reason: 'wrong_code' | 'expired' | 'exhausted' | 'used' };

/**
 * One-time codes sent by SMS or e-mail. The code exists in clear only in the message; the
 * database holds its keyed hash. Limits are per recipient so that one phone number cannot be
 * flooded through several accounts; SMS codes are also limited per account and per client
 * address (sends an hour, different numbers a day), so that nobody can pump paid messages to
 * many numbers through one account or from one address.
 */
export class DeliveredCodeService {
  constructor(
    private readonly deps: {
      codes: DeliveredCodeRepository;
      delivery: Delivery;
      hasher: KeyedHasher;
      clock: Clock;
      logger: Logger;
      policy: DeliveredCodePolicy;
      /** Where each send's outcome is counted, by channel and provider. @default not counted */
      metrics?: CoreMetrics;
    },
  ) {}

  get policy(): DeliveredCodePolicy {
    return this.deps.policy;
  }

  /**
   * Records the code under the recipient's limits (one atomic check-and-record, so concurrent
   * requests cannot both slip under them), then sends it. A provider failure removes the record:
   * nothing is left pending for a code that never reached anyone.
   */
  async send(request: SendRequest): Promise<SentCode> {
    const { codes, hasher, clock, policy } = this.deps;
    const now = clock.now();
    const code = newNumericCode(request.digits ?? policy.digits);
    const record: DeliveredCodeRecord = {
      id: request.id ?? newId(),
      userId: request.userId,
      purpose: request.purpose,
      channel: request.channel,
      recipientHash: hasher.hash(`${request.channel}:${request.destination.toLowerCase()}`),
      clientIpHash: request.clientIp ? hasher.hash(`client-ip:${request.clientIp}`) : null,
      codeHash: hasher.hash(`delivered:${code}`),
      attempts: 0,
      maxAttempts: policy.maxAttempts,
      sentAt: now,
      expiresAt: new Date(now.getTime() + policy.ttlSeconds * 1000),
      consumedAt: null,
    };
    const refusal = await codes.insertWithinLimits(record, {
      cooldownSeconds: policy.resendCooldownSeconds,
      hourlyLimit: policy.hourlyLimit,
      accountHourlySmsLimit: request.accountSmsLimits?.hourly ?? policy.accountHourlySmsLimit,
      accountDailySmsDestinations: request.accountSmsLimits?.dailyDestinations ?? policy.accountDailySmsDestinations,
      clientDailySmsDestinations: policy.clientDailySmsDestinations,
    });
    if (refusal) throw refusalError(refusal);
    try {
      await this.deliver(request, code);
    } catch (error) {
      await codes.discard(record.id);
      throw error;
    }
    return {
      id: record.id,
      channel: record.channel,
      sentAt: record.sentAt.toISOString(),
      expiresAt: record.expiresAt.toISOString(),
      destination: maskDestination(request.channel, request.destination),
      digits: code.length,
    };
  }

  /** Throws CODE_MALFORMED for something that cannot be a delivered code. */
  assertWellFormed(code: string): void {
    const { digits } = this.deps.policy;
    if (!/^\d+$/.test(code) || code.length !== digits) {
      throw new TesseraError('CODE_MALFORMED', { message: `The code must be exactly ${digits} digits.` });
    }
  }

  /**
   * Checks a code against the one sent under `id` for this user and one of `purposes`. Another
   * user's or another purpose's code is simply wrong: its existence is not revealed.
   */
  async check(id: string, userId: string, purposes: readonly string[], code: string): Promise<DeliveredCodeCheck> {
    const { codes, hasher, clock } = this.deps;
    const record = await codes.findById(id);
    if (!record || record.userId !== userId || !purposes.includes(record.purpose)) {
      return { ok: false, reason: 'wrong_code' };
    }
    const now = clock.now();
    if (record.consumedAt) return { ok: false, reason: 'used' };
    if (record.expiresAt <= now) return { ok: false, reason: 'expired' };
    if (record.attempts >= record.maxAttempts) return { ok: false, reason: 'exhausted' };
    // A code sent before a key rotation is matched under the previous key after a miss.
    if (await findByKeyedHash(hasher, `delivered:${code}`, (hash) => codes.consume(id, hash, now))) return { ok: true };
    const attempts = await codes.recordFailedAttempt(id);
    if (attempts === undefined) {
      // Not counted: out of tries, or used meanwhile by a concurrent check with the right code,
      // which must not read as out of tries.
      return { ok: false, reason: (await codes.findById(id))?.consumedAt ? 'used' : 'exhausted' };
    }
    return { ok: false, reason: attempts >= record.maxAttempts ? 'exhausted' : 'wrong_code' };
  }

  /** Ends a code without using it (a new one replaced it, or what it was for was canceled). */
  async invalidate(id: string): Promise<void> {
    await this.deps.codes.invalidate(id, this.deps.clock.now());
  }

  private async deliver(request: SendRequest, code: string): Promise<void> {
    const { delivery, logger } = this.deps;
    const metrics = this.deps.metrics ?? noCoreMetrics;
    const provider = request.channel === 'sms' ? delivery.sms.provider : delivery.email.provider;
    const minutes = Math.round(this.deps.policy.ttlSeconds / 60);
    const sentence = `${code} is your ${request.issuer} code to ${request.action}. It expires in ${minutes} minutes.`;
    const body = request.notice === undefined ? sentence : `${sentence} ${request.notice}`;
    try {
      if (request.channel === 'sms') {
        await delivery.sms.send({ to: request.destination, body, code });
      } else {
        await delivery.email.send({
          to: request.destination,
          subject: `Your ${request.issuer} code`,
          text: `${body}\n\nIf you did not ask for it, someone may know your password: change it.`,
          code,
        });
      }
      metrics.codeSent(request.channel, provider, 'sent');
    } catch (error) {
      metrics.codeSent(request.channel, provider, 'failed');
      // The provider by name, and the failure as the provider reported it (never the code): an
      // operator can act on this line alone. The code's record is discarded by the caller.
      logger.error(
        {
          userId: request.userId,
          channel: request.channel,
          provider,
          purpose: request.purpose,
          err: describeError(error),
        },
        `code delivery failed: the ${provider} provider did not take the message`,
      );
      throw new TesseraError('DELIVERY_FAILED', { cause: error });
    }
  }
}

function refusalError(refusal: SendLimitRefusal): TesseraError {
  switch (refusal.reason) {
    case 'cooldown':
      return new TesseraError('RESEND_TOO_SOON', {
        message: `A code was sent moments ago; ask again after ${refusal.retryAt.toISOString()}.`,
        meta: { retryAt: refusal.retryAt.toISOString() },
      });
    case 'hourly_limit':
      return new TesseraError('SEND_LIMIT_REACHED');
    case 'account_hourly_limit':
      return new TesseraError('SEND_LIMIT_REACHED', {
        message: 'Too many SMS codes were sent for this account in the last hour; try again later.',
      });
    case 'account_destinations':
      return new TesseraError('SMS_DESTINATION_LIMIT', {
        message: 'This account had codes sent to too many different phone numbers today; try again tomorrow.',
      });
    case 'client_destinations':
      return new TesseraError('SMS_DESTINATION_LIMIT', {
        message: 'Codes were sent to too many different phone numbers from this address today; try again tomorrow.',
      });
  }
}

/** Shows enough of a destination for the user to recognise it: +35988****456, j***@example.com. */
export function maskDestination(channel: DeliveryChannel, destination: string): string {
  if (channel === 'sms') {
    if (destination.length <= 7) return destination.replace(/\d(?=\d{2})/g, '*');
    return `${destination.slice(0, 4)}${'*'.repeat(destination.length - 7)}${destination.slice(-3)}`;
  }
  const at = destination.indexOf('@');
  if (at <= 0) return '***';
  return `${destination[0]}***${destination.slice(at)}`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
