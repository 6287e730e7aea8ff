import { auditContextOf } from '../audit/audit-context.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import { ISSUER_PATTERN } from '../config/config.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { UserRecord } from '../storage/records.js';
import type { SettingsRepository, UserRepository } from '../storage/repositories.js';

const ISSUER_KEY = 'issuer';

/**
 * The issuer named in new otpauth URIs: the user's own override if set, else the system-wide
 * one (changeable at run time, stored in settings), else the configured default.
 */
export class IssuerSettings {
  constructor(
    private readonly settings: SettingsRepository,
    private readonly users: UserRepository,
    private readonly configuredDefault: string,
    private readonly authorizer: Authorizer,
    /** Where a change of the system-wide issuer is recorded. */
    private readonly audit?: AuditTrail,
  ) {}

  /** The system-wide issuer, as an admin reads it. */
  async read(actor: Actor): Promise<string> {
    await this.authorizer.admin(actor, 'admin.read');
    return this.systemIssuer();
  }

  async change(actor: Actor, issuer: string): Promise<string> {
    await this.authorizer.admin(actor, 'admin.manage');
    await this.setSystemIssuer(issuer);
    await this.audit?.record(
      { action: 'settings.changed', userId: null, details: { setting: 'issuer' } },
      auditContextOf(actor),
    );
    return this.systemIssuer();
  }

  /** The caller's own override (null when unset), the issuer in effect for them and the system-wide one. */
  async readOwn(actor: Actor): Promise<{ issuer: string | null; effectiveIssuer: string; systemIssuer: string }> {
    const userId = await this.authorizer.own(actor, 'own.read_status');
    const user = await this.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    const systemIssuer = await this.systemIssuer();
    return { issuer: user.issuer, effectiveIssuer: user.issuer ?? systemIssuer, systemIssuer };
  }

  /** The caller's own override. */
  async setOwn(actor: Actor, issuer: string | null): Promise<{ issuer: string | null; effectiveIssuer: string }> {
    return this.setUserIssuer(await this.authorizer.own(actor, 'own.manage'), issuer);
  }

  /** Another user's override (admins). */
  async setFor(
    actor: Actor,
    userId: string,
    issuer: string | null,
  ): Promise<{ issuer: string | null; effectiveIssuer: string }> {
    await this.authorizer.admin(actor, 'admin.manage');
    return this.setUserIssuer(userId, issuer);
  }

  async systemIssuer(): Promise<string> {
    return (await this.settings.get(ISSUER_KEY)) ?? this.configuredDefault;
  }

  private async setSystemIssuer(issuer: string): Promise<void> {
    assertValidIssuer(issuer);
    await this.settings.set(ISSUER_KEY, issuer);
  }

  /** Sets (or clears, with null) a user's override; returns it with the issuer now in effect. */
  private async setUserIssuer(
    userId: string,
    issuer: string | null,
  ): Promise<{ issuer: string | null; effectiveIssuer: string }> {
    if (issuer !== null) assertValidIssuer(issuer);
    if (!(await this.users.updateIssuer(userId, issuer))) throw new TesseraError('USER_NOT_FOUND');
    return { issuer, effectiveIssuer: issuer ?? (await this.systemIssuer()) };
  }

  async issuerFor(user: UserRecord): Promise<string> {
    return user.issuer ?? (await this.systemIssuer());
  }
}

function assertValidIssuer(issuer: string): void {
  if (!ISSUER_PATTERN.test(issuer)) {
    throw new TesseraError('VALIDATION_FAILED', {
      message: 'The issuer must be 1-32 letters, digits, spaces, ".", "_" or "-".',
    });
  }
}
