import { type Actor, isPersonSignedIn } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import { TesseraError } from '../errors/tessera-error.js';
import { changeContextFor, type HistoryService } from '../history/history-service.js';
import type { FactorKind, UserRecord } from '../storage/records.js';
import type { FactorRepository, SettingsRepository, UserRepository } from '../storage/repositories.js';

const POLICY_KEY = 'policy';

export interface TwoFactorPolicy {
  /** Every account must have an active second factor (after the grace period). */
  required: boolean;
  /** Days after `requiredSince` during which accounts without a factor are reminded, not blocked. */
  gracePeriodDays: number;
  /** When `required` was last switched on; the grace period counts from here. */
  requiredSince: string | null;
  /** Which methods may be enrolled and used. */
  methods: Record<FactorKind, boolean>;
  /** Whether "remember this device" may skip the second factor for admins. */
  rememberDeviceForAdmins: boolean;
  /**
   * Admins must hold a phishing-resistant factor (a security key or passkey): without one they may
   * only enroll one; with one, it is the only second factor their sign-in accepts.
   */
  phishingResistantForAdmins: boolean;
}

export const DEFAULT_POLICY: TwoFactorPolicy = {
  required: false,
  gracePeriodDays: 0,
  requiredSince: null,
  // SMS and e-mail are "restricted" authenticators in NIST SP 800-63B §5.1.3.3: allowed by
  // default because several vendor APIs Tessera serves depend on them; an admin may forbid them.
  methods: { totp: true, sms: true, email: true, backup_codes: true, webauthn: true },
  rememberDeviceForAdmins: false,
  phishingResistantForAdmins: false,
};

/** Factors bound to the site's origin, which a look-alike page cannot relay (NIST SP 800-63B §5.2.5). */
export const PHISHING_RESISTANT_METHODS: readonly FactorKind[] = ['webauthn'];

/** NIST SP 800-63B calls these "restricted": usable, with the risks made known. */
export const RESTRICTED_METHODS: readonly FactorKind[] = ['sms', 'email'];

export interface PolicyUpdate {
  required?: boolean;
  gracePeriodDays?: number;
  methods?: Partial<Record<FactorKind, boolean>>;
  rememberDeviceForAdmins?: boolean;
  phishingResistantForAdmins?: boolean;
}

/** Where a user stands against the policy right now. */
export type Requirement =
  | { status: 'not_required' }
  | { status: 'satisfied' }
  | { status: 'grace'; enforcedFrom: string }
  | { status: 'enforced' };

/** The system-wide "2FA required" policy and the methods allowed, changed by admins at run time. */
export class PolicyService {
  constructor(
    private readonly deps: {
      settings: SettingsRepository;
      factors: FactorRepository;
      users: UserRepository;
      history: HistoryService;
      clock: Clock;
      authorizer: Authorizer;
    },
  ) {}

  /** The policy, as an admin reads it. */
  async read(actor: Actor): Promise<TwoFactorPolicy> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    return this.get();
  }

  /** Where the caller stands against the policy. */
  async requirementOf(userId: string): Promise<Requirement> {
    const policy = await this.get();
    if (await this.heldToPhishingResistant(policy, userId)) return { status: 'enforced' };
    return this.requirementFor(policy, await this.deps.factors.hasActive(userId));
  }

  /**
   * The second factors a sign-in of `user` accepts among `active`: all of them, except for an admin
   * under `phishingResistantForAdmins` who has a security key, whose sign-in takes only that.
   */
  signInMethods(policy: TwoFactorPolicy, user: UserRecord, active: readonly FactorKind[]): FactorKind[] {
    if (user.role !== 'admin' || !policy.phishingResistantForAdmins) return [...active];
    const resistant = active.filter((kind) => PHISHING_RESISTANT_METHODS.includes(kind));
    return resistant.length > 0 ? resistant : [...active];
  }

  /** An admin under `phishingResistantForAdmins` without a security key yet. */
  private async heldToPhishingResistant(policy: TwoFactorPolicy, userId: string): Promise<boolean> {
    if (!policy.phishingResistantForAdmins) return false;
    const user = await this.deps.users.findById(userId);
    if (user?.role !== 'admin') return false;
    const kinds = await this.deps.factors.activeKinds(userId);
    return !kinds.some((kind) => PHISHING_RESISTANT_METHODS.includes(kind));
  }

  async get(): Promise<TwoFactorPolicy> {
    const stored = await this.deps.settings.get(POLICY_KEY);
    if (!stored) return DEFAULT_POLICY;
    const parsed = JSON.parse(stored) as Partial<TwoFactorPolicy>;
    return { ...DEFAULT_POLICY, ...parsed, methods: { ...DEFAULT_POLICY.methods, ...parsed.methods } };
  }

  async update(actor: Actor, update: PolicyUpdate): Promise<TwoFactorPolicy> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const context = changeContextFor(actor, null);
    if (
      update.gracePeriodDays !== undefined &&
      !(Number.isInteger(update.gracePeriodDays) && update.gracePeriodDays >= 0 && update.gracePeriodDays <= 365)
    ) {
      throw new TesseraError('VALIDATION_FAILED', { message: 'gracePeriodDays must be a whole number from 0 to 365.' });
    }
    const current = await this.get();
    const switchedOn = update.required === true && !current.required;
    const next: TwoFactorPolicy = {
      required: update.required ?? current.required,
      gracePeriodDays: update.gracePeriodDays ?? current.gracePeriodDays,
      requiredSince: switchedOn
        ? this.deps.clock.now().toISOString()
        : update.required === false
          ? null
          : current.requiredSince,
      methods: { ...current.methods, ...update.methods },
      rememberDeviceForAdmins: update.rememberDeviceForAdmins ?? current.rememberDeviceForAdmins,
      phishingResistantForAdmins: update.phishingResistantForAdmins ?? current.phishingResistantForAdmins,
    };
    await this.refuseLockingOut(actor, next);
    await this.deps.settings.set(POLICY_KEY, JSON.stringify(next));
    await this.deps.history.record(
      { userId: null, method: 'policy', action: 'policy', enabled: next.required, details: next },
      context,
    );
    return next;
  }

  /**
   * No policy change may lock out the person who makes it: requiring 2FA at once (no grace
   * period) of everyone, made by someone signed in without an active factor, would leave them
   * nothing but enrolling, through every API, before they could undo it. They enroll first, or
   * give a grace period. Machine credentials (API tokens) and the command line are not held to
   * the policy, so they are not refused.
   */
  private async refuseLockingOut(actor: Actor, next: TwoFactorPolicy): Promise<void> {
    if (actor.kind !== 'user' || !isPersonSignedIn(actor) || !next.required) return;
    const requirement = this.requirementFor(next, await this.deps.factors.hasActive(actor.userId));
    if (requirement.status !== 'enforced') return;
    throw new TesseraError('TWO_FACTOR_REQUIRED', {
      message:
        'This policy would lock you out: you have no active second factor. Enroll one first, or give a grace period.',
    });
  }

  async assertMethodAllowed(method: FactorKind): Promise<void> {
    if (!(await this.get()).methods[method]) throw new TesseraError('METHOD_NOT_ALLOWED');
  }

  requirementFor(policy: TwoFactorPolicy, hasActiveFactor: boolean): Requirement {
    if (!policy.required) return { status: 'not_required' };
    if (hasActiveFactor) return { status: 'satisfied' };
    const since = policy.requiredSince ? new Date(policy.requiredSince).getTime() : 0;
    const enforcedFrom = since + policy.gracePeriodDays * 86_400_000;
    if (this.deps.clock.now().getTime() < enforcedFrom) {
      return { status: 'grace', enforcedFrom: new Date(enforcedFrom).toISOString() };
    }
    return { status: 'enforced' };
  }

  /**
   * The "2FA required" rule for a person signed in: once the grace period is over, an account
   * without an active factor may do nothing but enroll one. Every API shape calls this for
   * everything except enrollment; machine credentials (API tokens) are not people signing in.
   */
  async assertSatisfiedBy(userId: string): Promise<void> {
    const policy = await this.get();
    if (await this.heldToPhishingResistant(policy, userId)) {
      throw new TesseraError('TWO_FACTOR_REQUIRED', {
        message: 'Admins must use a security key or passkey here: register one first.',
      });
    }
    if (!policy.required) return;
    const requirement = this.requirementFor(policy, await this.deps.factors.hasActive(userId));
    if (requirement.status === 'enforced') throw new TesseraError('TWO_FACTOR_REQUIRED');
  }

  rememberDeviceAllowed(policy: TwoFactorPolicy, user: UserRecord): boolean {
    // A remembered device would stand in for the security key a phishing-resistant admin must use.
    return user.role !== 'admin' || (policy.rememberDeviceForAdmins && !policy.phishingResistantForAdmins);
  }
}
