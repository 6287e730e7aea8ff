import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { FactorService } from '../factors/factor-service.js';
import type { EntityChallengeRecord } from '../storage/records.js';
import type { EntityChallengeRepository, UserRepository } from '../storage/repositories.js';

/** How long a pending challenge may still be answered (Twilio's default expiration). */
export const ENTITY_CHALLENGE_TTL_SECONDS = 5 * 60;

export interface EntityChallengeView {
  id: string;
  serviceId: string;
  userId: string;
  factorId: string;
  status: 'pending' | 'approved' | 'expired';
  createdAt: string;
  updatedAt: string;
  respondedAt: string | null;
  expiresAt: string;
}

/**
 * Code checks of a platform user's TOTP factor, named by the platform's id for the user, kept so
 * they can be fetched and listed (Twilio Verify's Challenges). The check itself is the factor's,
 * as every API's: each code once, wrong ones counted in the account's lockout. A wrong code
 * leaves the challenge pending, to be answered again until it expires.
 */
export class EntityChallenges {
  constructor(
    private readonly deps: {
      challenges: EntityChallengeRepository;
      users: Pick<UserRepository, 'findByExternalId'>;
      factors: Pick<FactorService, 'verifyFactorOf'>;
      authorizer: Authorizer;
      clock: Clock;
    },
  ) {}

  async create(
    actor: Actor,
    serviceId: string,
    externalId: string,
    factorId: string,
    code: string,
  ): Promise<EntityChallengeView> {
    const check = await this.deps.factors.verifyFactorOf(actor, externalId, factorId, code);
    const user = await this.deps.users.findByExternalId(externalId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    const now = this.deps.clock.now();
    const record: EntityChallengeRecord = {
      id: newId(),
      serviceId,
      userId: user.id,
      factorId,
      status: check.ok ? 'approved' : 'pending',
      createdAt: now,
      updatedAt: now,
      respondedAt: check.ok ? now : null,
      expiresAt: new Date(now.getTime() + ENTITY_CHALLENGE_TTL_SECONDS * 1000),
    };
    await this.deps.challenges.insert(record);
    return viewOf(record, now);
  }

  /** Answers a pending challenge again with a code. */
  async respond(
    actor: Actor,
    serviceId: string,
    externalId: string,
    id: string,
    code: string,
  ): Promise<EntityChallengeView> {
    const challenge = await this.find(actor, serviceId, externalId, id);
    const now = this.deps.clock.now();
    if (challenge.status !== 'pending' || challenge.expiresAt <= now) {
      throw new TesseraError('FLOW_FINISHED', { message: 'The challenge is no longer pending.' });
    }
    const check = await this.deps.factors.verifyFactorOf(actor, externalId, challenge.factorId, code);
    if (check.ok && (await this.deps.challenges.approve(challenge.id, now))) {
      return viewOf({ ...challenge, status: 'approved', respondedAt: now, updatedAt: now }, now);
    }
    return viewOf(challenge, now);
  }

  async get(actor: Actor, serviceId: string, externalId: string, id: string): Promise<EntityChallengeView> {
    return viewOf(await this.find(actor, serviceId, externalId, id), this.deps.clock.now());
  }

  async list(
    actor: Actor,
    serviceId: string,
    externalId: string,
    page: { offset: number; limit: number },
  ): Promise<EntityChallengeView[]> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    const user = await this.deps.users.findByExternalId(externalId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    const now = this.deps.clock.now();
    return (await this.deps.challenges.list(serviceId, user.id, page.offset, page.limit)).map((c) => viewOf(c, now));
  }

  private async find(actor: Actor, serviceId: string, externalId: string, id: string): Promise<EntityChallengeRecord> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    const user = await this.deps.users.findByExternalId(externalId);
    const found = user && (await this.deps.challenges.findById(id, serviceId, user.id));
    if (!found) throw new TesseraError('FLOW_NOT_FOUND', { message: `No challenge ${id}.` });
    return found;
  }
}

function viewOf(record: EntityChallengeRecord, now: Date): EntityChallengeView {
  const expired = record.status === 'pending' && record.expiresAt <= now;
  return {
    id: record.id,
    serviceId: record.serviceId,
    userId: record.userId,
    factorId: record.factorId,
    status: expired ? 'expired' : record.status,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    respondedAt: record.respondedAt?.toISOString() ?? null,
    expiresAt: record.expiresAt.toISOString(),
  };
}
