import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { FactorService } from '../factors/factor-service.js';
import type { EntityChallengeRecord } from '../storage/records.js';
import type { EntityChallengeRepository } from '../storage/repositories.js';
import type { VerifyEntities, VerifyEntity } from '../verify-entities/verify-entities.js';

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
      entities: Pick<VerifyEntities, 'entity'>;
      factors: Pick<FactorService, 'verifyFactorOf'>;
      authorizer: Authorizer;
      clock: Clock;
    },
  ) {}

  async create(
    actor: Actor,
    serviceId: string,
    identity: string,
    factorId: string,
    code: string,
  ): Promise<{ entity: VerifyEntity; challenge: EntityChallengeView }> {
    const entity = await this.deps.entities.entity(actor, serviceId, identity);
    const check = await this.deps.factors.verifyFactorOf(actor, identity, factorId, code);
    const now = this.deps.clock.now();
    const record: EntityChallengeRecord = {
      id: newId(),
      serviceId: entity.service.id,
      userId: entity.userId,
      factorId,
      status: check.ok ? 'approved' : 'pending',
      createdAt: now,
      updatedAt: now,
      respondedAt: check.ok ? now : null,
      expiresAt: new Date(now.getTime() + ENTITY_CHALLENGE_TTL_SECONDS * 1000),
    };
    await this.deps.challenges.insert(record);
    return { entity, challenge: viewOf(record, now) };
  }

  /** Answers a pending challenge again with a code. */
  async respond(
    actor: Actor,
    serviceId: string,
    identity: string,
    id: string,
    code: string,
  ): Promise<{ entity: VerifyEntity; challenge: EntityChallengeView }> {
    const { entity, record } = await this.find(actor, serviceId, identity, id);
    const now = this.deps.clock.now();
    if (record.status !== 'pending' || record.expiresAt <= now) {
      throw new TesseraError('FLOW_FINISHED', { message: 'The challenge is no longer pending.' });
    }
    const check = await this.deps.factors.verifyFactorOf(actor, identity, record.factorId, code);
    if (check.ok && (await this.deps.challenges.approve(record.id, now))) {
      return { entity, challenge: viewOf({ ...record, status: 'approved', respondedAt: now, updatedAt: now }, now) };
    }
    return { entity, challenge: viewOf(record, now) };
  }

  async get(
    actor: Actor,
    serviceId: string,
    identity: string,
    id: string,
  ): Promise<{ entity: VerifyEntity; challenge: EntityChallengeView }> {
    const { entity, record } = await this.find(actor, serviceId, identity, id);
    return { entity, challenge: viewOf(record, this.deps.clock.now()) };
  }

  async list(
    actor: Actor,
    serviceId: string,
    identity: string,
    page: { offset: number; limit: number },
  ): Promise<{ entity: VerifyEntity; challenges: EntityChallengeView[] }> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    const entity = await this.deps.entities.entity(actor, serviceId, identity);
    const now = this.deps.clock.now();
    const found = await this.deps.challenges.list(entity.service.id, entity.userId, page.offset, page.limit);
    return { entity, challenges: found.map((challenge) => viewOf(challenge, now)) };
  }

  private async find(
    actor: Actor,
    serviceId: string,
    identity: string,
    id: string,
  ): Promise<{ entity: VerifyEntity; record: EntityChallengeRecord }> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    const entity = await this.deps.entities.entity(actor, serviceId, identity);
    const record = await this.deps.challenges.findById(id, entity.service.id, entity.userId);
    if (!record) throw new TesseraError('FLOW_NOT_FOUND', { message: `No challenge ${id}.` });
    return { entity, record };
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
