import type { AccountAdminService } from '../admin/account-admin-service.js';
import type { AdminService } from '../admin/admin-service.js';
import type { Actor } from '../auth/actor.js';
import type { VerifyServices, VerifyServiceView } from '../destination-verification/verify-services.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { FactorService } from '../factors/factor-service.js';
import type { FactorView } from '../factors/factor-view.js';
import type { EnableFlow } from '../flows/enable/enable.flow.js';
import { codeProof } from '../methods/second-factor-method.js';
import type { TotpEnrollmentDisplay } from '../methods/totp/totp.method.js';
import type { UserRepository } from '../storage/repositories.js';

/** A platform's user under a verify service: the Tessera account with that `externalId`. */
export interface VerifyEntity {
  service: VerifyServiceView;
  identity: string;
  userId: string;
}

/** What an authenticator enrolled for an entity may ask for; left out: the service's default, then Tessera's. */
export interface EntityTotpInput {
  digits?: number;
  period?: number;
  skew?: number;
  algorithm?: string;
}

const TIME_STEPS = { min: 20, max: 60 };

function refuse(field: string, message: string): never {
  throw new TesseraError('VALIDATION_FAILED', { message, meta: { field } });
}

/**
 * A platform's users' authenticators under a verify service (Twilio Verify's Entities and their
 * TOTP Factors). An entity is the account the platform knows by its own id, made without a
 * password by its first factor; its factor is that account's TOTP factor, the one every other
 * API sees, enrolled and confirmed through the one enrollment flow.
 */
export class VerifyEntities {
  constructor(
    private readonly deps: {
      services: VerifyServices;
      userAdmin: Pick<AccountAdminService, 'findOrCreateByExternalId'>;
      users: Pick<UserRepository, 'findByExternalId'>;
      enable: Pick<EnableFlow, 'startFor' | 'confirmFactorFor'>;
      factors: Pick<FactorService, 'listFor'>;
      admin: Pick<AdminService, 'removeFactor'>;
    },
  ) {}

  /**
   * Begins an authenticator for the entity, made if it is new: pending until confirmed. The
   * settings are the service's TOTP defaults unless the request names them; what Tessera cannot
   * honour is refused (VALIDATION_FAILED naming the field), never ignored.
   */
  async enrollTotp(
    actor: Actor,
    serviceId: string,
    identity: string,
    input: EntityTotpInput,
  ): Promise<{ entity: VerifyEntity; factor: FactorView; totp: TotpEnrollmentDisplay }> {
    const service = await this.deps.services.get(actor, serviceId);
    const { settings } = service;
    if (input.algorithm !== undefined && input.algorithm.toLowerCase() !== 'sha1') {
      refuse('Config.Alg', 'Authenticator apps make SHA1 codes: Config.Alg must be sha1.');
    }
    const skew = input.skew ?? settings.totpSkew;
    if (skew !== null && skew !== 1)
      refuse('Config.Skew', 'Tessera accepts one time step either way: Config.Skew must be 1.');
    const digits = input.digits ?? settings.totpCodeLength;
    if (digits !== null && digits !== 6 && digits !== 8)
      refuse('Config.CodeLength', 'Config.CodeLength must be 6 or 8.');
    const period = input.period ?? settings.totpTimeStep;
    if (period !== null && (!Number.isInteger(period) || period < TIME_STEPS.min || period > TIME_STEPS.max)) {
      refuse('Config.TimeStep', `Config.TimeStep must be from ${TIME_STEPS.min} to ${TIME_STEPS.max} seconds.`);
    }
    const account = await this.deps.userAdmin.findOrCreateByExternalId(actor, identity);
    const started = await this.deps.enable.startFor(actor, account.id, {
      totp: { ...(digits === null ? {} : { digits }), ...(period === null ? {} : { period }) },
      ...(settings.totpIssuer === null ? {} : { issuer: settings.totpIssuer }),
    });
    // A TOTP enrollment always shows its key and its pending factor.
    if (!started.totp || !started.factor) throw new Error('a TOTP enrollment without its key');
    return { entity: { service, identity, userId: account.id }, factor: started.factor, totp: started.totp };
  }

  /**
   * Confirms a pending factor with a code: `verified` false for a wrong code (the enrollment
   * counts the try), and a factor already verified is answered as it stands.
   */
  async verifyTotp(
    actor: Actor,
    serviceId: string,
    identity: string,
    factorId: string,
    code: string,
  ): Promise<{ entity: VerifyEntity; factor: FactorView }> {
    const entity = await this.entity(actor, serviceId, identity);
    const factor = await this.factorOf(actor, entity, factorId);
    if (factor.status === 'active') return { entity, factor };
    try {
      const confirmed = await this.deps.enable.confirmFactorFor(actor, entity.userId, factorId, codeProof(code));
      return { entity, factor: confirmed.factor };
    } catch (error) {
      if (!(error instanceof TesseraError) || error.code !== 'CODE_INVALID') throw error;
      return { entity, factor };
    }
  }

  /** The entity's TOTP factors: the active one, or the enrollment still waiting. An unknown entity has none. */
  async listTotp(
    actor: Actor,
    serviceId: string,
    identity: string,
  ): Promise<{ entity: VerifyEntity | undefined; factors: FactorView[] }> {
    const service = await this.deps.services.get(actor, serviceId);
    const user = await this.deps.users.findByExternalId(identity);
    if (!user) return { entity: undefined, factors: [] };
    const factors = (await this.deps.factors.listFor(actor, user.id)).filter((factor) => factor.method === 'totp');
    return { entity: { service, identity, userId: user.id }, factors };
  }

  async getTotp(
    actor: Actor,
    serviceId: string,
    identity: string,
    factorId: string,
  ): Promise<{ entity: VerifyEntity; factor: FactorView }> {
    const entity = await this.entity(actor, serviceId, identity);
    return { entity, factor: await this.factorOf(actor, entity, factorId) };
  }

  async removeTotp(actor: Actor, serviceId: string, identity: string, factorId: string): Promise<void> {
    const entity = await this.entity(actor, serviceId, identity);
    await this.deps.admin.removeFactor(actor, entity.userId, factorId);
  }

  /** An entity that exists (reads and changes never make one). */
  async entity(actor: Actor, serviceId: string, identity: string): Promise<VerifyEntity> {
    const service = await this.deps.services.get(actor, serviceId);
    const user = await this.deps.users.findByExternalId(identity);
    if (!user) throw new TesseraError('USER_NOT_FOUND', { message: `No entity ${identity}.` });
    return { service, identity, userId: user.id };
  }

  private async factorOf(actor: Actor, entity: VerifyEntity, factorId: string): Promise<FactorView> {
    const factor = (await this.deps.factors.listFor(actor, entity.userId)).find(
      (found) => found.id === factorId && found.method === 'totp',
    );
    if (!factor) throw new TesseraError('FACTOR_NOT_FOUND');
    return factor;
  }
}
