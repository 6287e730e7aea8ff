import { type Actor, clientIpOf } from '../../auth/actor.js';
import type { Authorizer } from '../../auth/authorizer.js';
import type { Clock } from '../../clock.js';
import { newId } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { SentCode } from '../../delivery/delivered-code-service.js';
import { TesseraError } from '../../errors/tessera-error.js';
import { alreadyActive } from '../../factors/already-active.js';
import type { FactorChanges } from '../../factors/factor-changes.js';
import { type FactorView, toFactorView } from '../../factors/factor-view.js';
import type { SecondFactorVerifier } from '../../factors/second-factor-verifier.js';
import { type ChangeContext, changeContextFor } from '../../history/history-service.js';
import type { Logger } from '../../logger.js';
import type { BackupCodeService, BackupCodeSet } from '../../methods/backup-codes/backup-code-service.js';
import type { MethodRegistry } from '../../methods/method-registry.js';
import type { Proof } from '../../methods/second-factor-method.js';
import { asksForNonDefaultSettings, codeShowsIgnoredSettings } from '../../methods/totp/ignored-settings.js';
import {
  issuedSecretMatches,
  openTotpKey,
  type TotpEnrollmentDisplay,
  totpEnrollmentDisplay,
  totpParams,
} from '../../methods/totp/totp.method.js';
import type { IssuedWebAuthnChallenge } from '../../methods/webauthn/webauthn-ceremonies.js';
import { DEFAULT_TOTP_PARAMS, type TotpParams, type TotpSecretBits } from '../../otp/index.js';
import type { PolicyService } from '../../policy/policy-service.js';
import type { IssuerSettings } from '../../settings/issuer-settings.js';
import { newFactor } from '../../storage/new-factor.js';
import type { DeliveryChannel, FactorKind, FactorOf, FactorRecord, FlowRecord } from '../../storage/records.js';
import type { Storage } from '../../storage/repositories.js';
import type { DisableState } from '../disable/disable.machine.js';
import { type FlowStore, flowData } from '../flow-store.js';
import type { CodeMessenger } from '../shared/code-messenger.js';
import { ENABLE_MAX_ATTEMPTS, ENABLE_TTL_SECONDS, type EnableState, enableMachine } from './enable.machine.js';

export interface EnableStartInput {
  method: FactorKind;
  /** SMS: the phone number to enroll (E.164). */
  phone?: string;
  /** SMS: a success token for `change_phone` when the number is not the account's (see docs/security.md). */
  successToken?: string;
  /** TOTP: parameters other than the SHA1/6/30 default (most apps ignore them). */
  totp?: Partial<TotpParams>;
  /**
   * TOTP: the size of the secret when not 160 bits. Only the cPanel dialects pass it, as
   * TESSERA_CPANEL_SECRET_BITS says, for clients that enforce cPanel's 16-character secrets.
   */
  totpSecretBits?: TotpSecretBits;
  /**
   * Also prepare a backup-code set, shown now and installed when this enrollment is confirmed
   * (Mudbase's setup hands out both at once).
   */
  withBackupCodes?: boolean;
}

export interface ProcedureView {
  flowId: string;
  method: FactorKind;
  state: EnableState | DisableState;
  attempts: number;
  expiresAt: string;
}

export interface EnableStart extends ProcedureView {
  factorId: string;
  /** The factor waiting for confirmation (absent for backup codes, active at once). */
  factor?: FactorView;
  totp?: TotpEnrollmentDisplay;
  delivery?: SentCode;
  /** Backup codes are active at once: the set is shown here, once. */
  backupCodes?: BackupCodeSet;
  /** WebAuthn: options for `navigator.credentials.create()`; confirm with the browser's response. */
  webauthn?: IssuedWebAuthnChallenge;
}

export interface EnableResult extends ProcedureView {
  factor: FactorView;
}

interface EnableData {
  factorId: string;
  deliveredCodeId?: string;
  /** Keyed hashes of a backup-code set to install on confirmation; never the codes. */
  backupCodeHashes?: string[];
  /** WebAuthn: the registration challenge issued for this flow. */
  challengeId?: string;
}

const ENABLE_ACTION: Record<DeliveryChannel, string> = {
  sms: 'confirm this phone number',
  email: 'confirm this e-mail address',
};

function enablePurpose(channel: DeliveryChannel): string {
  return `enable_${channel}`;
}

/**
 * The one way a method is turned on, for every API shape: start (TOTP shows its key, SMS and
 * e-mail send a code, backup codes are shown and active at once), then confirm with a proof
 * within 10 minutes and 5 tries; the factor is active only after that. The enrollment's flow has
 * the pending factor's id, so a confirm can name the flow, the factor, or (vendor APIs) send back
 * the secret that was issued.
 */
export class EnableFlow {
  constructor(
    private readonly deps: {
      storage: Storage;
      flows: FlowStore;
      methods: MethodRegistry;
      verifier: SecondFactorVerifier;
      messenger: CodeMessenger;
      backupCodes: BackupCodeService;
      changes: FactorChanges;
      policy: PolicyService;
      issuers: IssuerSettings;
      authorizer: Authorizer;
      secretBox: SecretBox;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /** Whether starting to enable this method sends a code (SMS, e-mail) or sends nothing (TOTP, backup codes, keys). */
  sendsCode(kind: FactorKind): boolean {
    return this.deps.methods.get(kind).channel !== null;
  }

  async start(actor: Actor, input: EnableStartInput): Promise<EnableStart> {
    const method = this.deps.methods.get(input.method);
    const userId = await this.deps.authorizer.own(actor, method.quietBegin ? 'own.enroll_quietly' : 'own.enroll');
    return this.begin(actor, userId, input);
  }

  /**
   * An admin begins an authenticator enrollment for another account (a platform enrolling its
   * user's app, Twilio Verify's Factors): pending until confirmed with a code, as any other.
   * `issuer` names the key in the app when not the account's issuer.
   */
  async startFor(
    actor: Actor,
    userId: string,
    input: { totp?: Partial<TotpParams>; issuer?: string },
  ): Promise<EnableStart> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    return this.begin(actor, userId, { method: 'totp', ...(input.totp ? { totp: input.totp } : {}) }, input.issuer);
  }

  /** An admin confirms a pending factor of another account with a proof of it. */
  async confirmFactorFor(actor: Actor, userId: string, factorId: string, proof: Proof): Promise<EnableResult> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    await this.assertPending(factorId, userId);
    return this.confirmOwn(userId, factorId, proof, changeContextFor(actor, userId));
  }

  private async begin(actor: Actor, userId: string, input: EnableStartInput, issuer?: string): Promise<EnableStart> {
    const { storage, policy, methods, issuers, messenger, clock } = this.deps;
    const method = methods.get(input.method);
    await policy.assertMethodAllowed(input.method);
    const user = await storage.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    // A method that holds several credentials (WebAuthn) adds one to its active factor.
    const active = await storage.factors.findActive(userId, input.method);
    if (active && !method.addsToActive) throw alreadyActive(input.method);

    const factorId = newId();
    const begun = await method.begin({
      factorId,
      user,
      ...(active ? { addingTo: active } : {}),
      issuer: issuer ?? (await issuers.issuerFor(user)),
      ...(input.phone === undefined ? {} : { phone: input.phone }),
      ...(input.successToken === undefined ? {} : { successToken: input.successToken }),
      ...(input.totp === undefined ? {} : { totp: input.totp }),
      ...(input.totpSecretBits === undefined ? {} : { totpSecretBits: input.totpSecretBits }),
    });
    if (begun.activation === 'immediate') {
      const marker = await storage.factors.findActive(userId, input.method);
      const flow = await this.deps.flows.create(enableMachine, userId, ENABLE_TTL_SECONDS, { factorId: marker?.id });
      const done = await this.deps.flows.advance(enableMachine, flow, 'CONFIRM_OK');
      await this.deps.changes.record(userId, input.method, 'enable', true, changeContextFor(actor, userId));
      return { ...view(done, input.method), factorId: marker?.id ?? '', backupCodes: begun.backupCodes };
    }

    // The code goes out before the enrollment is written: a provider failure leaves nothing pending.
    const channel = method.channel;
    const delivery =
      begun.sendTo !== undefined && channel !== null
        ? await messenger.send(user, {
            channel,
            destination: begun.sendTo,
            purpose: enablePurpose(channel),
            action: ENABLE_ACTION[channel],
            clientIp: clientIpOf(actor),
          })
        : undefined;
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + ENABLE_TTL_SECONDS * 1000);
    const factor =
      active ??
      newFactor(
        { id: factorId, userId, status: 'pending', createdAt: now, expiresAt, activatedAt: null },
        input.method,
        begun.details,
      );
    if (!active) await storage.factors.insertPending(factor);
    const backupCodes = input.withBackupCodes ? this.deps.backupCodes.prepare(userId) : undefined;
    const data: EnableData = {
      factorId: factor.id,
      ...(delivery ? { deliveredCodeId: delivery.id } : {}),
      ...(backupCodes ? { backupCodeHashes: backupCodes.hashes } : {}),
      ...(begun.webauthn ? { challengeId: begun.webauthn.challengeId } : {}),
    };
    // The flow has the id the method was given, which its challenge is bound to.
    const flow = await this.deps.flows.createWithId(enableMachine, factorId, userId, ENABLE_TTL_SECONDS, data);
    return {
      ...view(flow, input.method),
      factorId: factor.id,
      factor: toFactorView(factor, method.describe(factor)),
      ...(begun.totp ? { totp: begun.totp } : {}),
      ...(delivery ? { delivery } : {}),
      ...(backupCodes ? { backupCodes: backupCodes.set } : {}),
      ...(begun.webauthn ? { webauthn: begun.webauthn } : {}),
    };
  }

  /** Confirms the enrollment `flowId` with a proof of the new method. */
  async confirm(actor: Actor, flowId: string, proof: Proof): Promise<EnableResult> {
    const userId = await this.deps.authorizer.own(actor, 'own.enroll');
    return this.confirmOwn(userId, flowId, proof, changeContextFor(actor, userId));
  }

  /** Confirms the enrollment of a pending factor named by its id (the factor and its flow share it). */
  async confirmFactor(actor: Actor, factorId: string, proof: Proof): Promise<EnableResult> {
    const userId = await this.deps.authorizer.own(actor, 'own.enroll');
    await this.assertPending(factorId, userId);
    return this.confirmOwn(userId, factorId, proof, changeContextFor(actor, userId));
  }

  /** Confirms the caller's one pending enrollment of a method (Mudbase's verify names no enrollment). */
  async confirmPending(actor: Actor, kind: FactorKind, proof: Proof): Promise<EnableResult> {
    const userId = await this.deps.authorizer.own(actor, 'own.enroll');
    const pending = await this.deps.storage.factors.findPending(userId, kind);
    if (!pending || (pending.expiresAt !== null && pending.expiresAt <= this.deps.clock.now())) {
      throw new TesseraError('FACTOR_NOT_PENDING', { message: 'No enrollment is waiting; start one.' });
    }
    return this.confirmOwn(userId, pending.id, proof, changeContextFor(actor, userId));
  }

  /**
   * Confirms the caller's pending authenticator enrollment by the secret that was issued for it
   * (VPSBG `{otp, secret_key}`, cPanel `{secret, tfa_token}`). Only the secret the server
   * generated for this user is accepted: a client cannot choose a weak or known one.
   */
  async confirmIssuedSecret(actor: Actor, secret: string, proof: Proof): Promise<EnableResult> {
    const userId = await this.deps.authorizer.own(actor, 'own.enroll');
    const { storage, secretBox, clock } = this.deps;
    const pending = await storage.factors.findPending(userId, 'totp');
    if (!pending || (pending.expiresAt !== null && pending.expiresAt <= clock.now())) {
      throw new TesseraError('ENROLLMENT_SECRET_INVALID', {
        message: 'No authenticator enrollment is waiting; start one.',
      });
    }
    if (!issuedSecretMatches(secretBox, pending, secret)) throw new TesseraError('ENROLLMENT_SECRET_INVALID');
    return this.confirmOwn(userId, pending.id, proof, changeContextFor(actor, userId));
  }

  /**
   * Moves the caller's pending authenticator enrollment `factorId` to SHA1, 6 digits and 30 s,
   * keeping its key: what to do when a confirm was refused with TOTP_SETTINGS_IGNORED, since the
   * app already holds the key and makes codes under those settings. The enrollment keeps its id,
   * its expiry and its count of tries; the answer carries the key's new URI and QR code.
   */
  async useDefaultTotpSettings(actor: Actor, factorId: string): Promise<EnableStart> {
    const userId = await this.deps.authorizer.own(actor, 'own.enroll');
    const { storage, secretBox, issuers, flows, methods, clock } = this.deps;
    const factor = await storage.factors.findById(factorId);
    if (!factor || factor.userId !== userId || factor.kind !== 'totp') throw new TesseraError('FACTOR_NOT_FOUND');
    if (factor.status !== 'pending') throw new TesseraError('FACTOR_NOT_PENDING');
    if (factor.expiresAt !== null && factor.expiresAt <= clock.now()) throw new TesseraError('ENROLLMENT_EXPIRED');
    const flow = await flows.load(enableMachine, factorId, userId);
    await flows.assertOpen(enableMachine, flow, 'EXPIRE');
    const user = await storage.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    const moved: FactorOf<'totp'> = { ...factor, details: { ...factor.details, ...DEFAULT_TOTP_PARAMS } };
    if (asksForNonDefaultSettings(totpParams(factor))) {
      // The same id: the sealed key stays bound to it; insertPending replaces the earlier row.
      await storage.factors.insertPending(moved);
    }
    const key = openTotpKey(secretBox, moved);
    const totp = await totpEnrollmentDisplay(
      key,
      { issuer: await issuers.issuerFor(user), accountName: user.username },
      DEFAULT_TOTP_PARAMS,
    );
    key.fill(0);
    return {
      ...view(flow, 'totp'),
      factorId,
      factor: toFactorView(moved, methods.of(moved).describe(moved)),
      totp,
    };
  }

  /** Sends a fresh code for an SMS or e-mail enrollment (after the resend cooldown). */
  async resend(actor: Actor, flowId: string): Promise<SentCode> {
    const userId = await this.deps.authorizer.own(actor, 'own.enroll');
    const { flows, storage, methods, messenger } = this.deps;
    const flow = await flows.load(enableMachine, flowId, userId);
    await flows.assertOpen(enableMachine, flow, 'EXPIRE');
    const data = flowData<EnableData>(flow);
    const factor = await this.pendingFactor(data.factorId);
    const method = methods.of(factor);
    const user = await storage.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    if (method.channel === null || !method.destination) {
      throw new TesseraError('FLOW_TRANSITION_INVALID', { message: 'Only SMS and e-mail codes can be resent.' });
    }
    const sent = await messenger.send(user, {
      channel: method.channel,
      destination: method.destination(factor, user),
      purpose: enablePurpose(method.channel),
      action: ENABLE_ACTION[method.channel],
      clientIp: clientIpOf(actor),
    });
    await flows.advance(enableMachine, flow, 'RESEND', { data: { ...data, deliveredCodeId: sent.id } });
    return sent;
  }

  async status(actor: Actor, flowId: string): Promise<ProcedureView> {
    const userId = await this.deps.authorizer.own(actor, 'own.enroll');
    const flow = await this.deps.flows.load(enableMachine, flowId, userId);
    const data = flowData<EnableData>(flow);
    const factor = data.factorId ? await this.deps.storage.factors.findById(data.factorId) : undefined;
    return view(flow, factor?.kind ?? 'totp');
  }

  private async confirmOwn(
    userId: string,
    flowId: string,
    proof: Proof,
    context: ChangeContext,
  ): Promise<EnableResult> {
    const { flows, storage, methods, verifier, changes, clock, logger } = this.deps;
    const flow = await flows.load(enableMachine, flowId, userId);
    await flows.assertOpen(enableMachine, flow, 'EXPIRE');
    const data = flowData<EnableData>(flow);
    const factor = await this.pendingFactor(data.factorId, true);
    const method = methods.of(factor);
    if (factor.kind === 'totp') this.assertSettingsHonoured(factor, proof);
    const purposes = method.channel === null ? [] : [enablePurpose(method.channel)];
    const check = await flows.countedCheck(
      enableMachine,
      flow,
      () =>
        verifier.verifyFactor(factor, proof, {
          purposes,
          ...(data.deliveredCodeId ? { deliveredCodeId: data.deliveredCodeId } : {}),
          ...(data.challengeId ? { challengeId: data.challengeId, flowId: flow.id } : {}),
        }),
      { failEvent: 'CONFIRM_FAIL', exhaustedEvent: 'ATTEMPTS_EXHAUSTED', maxAttempts: ENABLE_MAX_ATTEMPTS },
    );
    const now = clock.now();
    // Flow, factor, the method's own writes and the history entry commit together or not at all.
    const { done, notify } = await storage.transaction(async (tx) => {
      const done = await flows.advance(enableMachine, flow, 'CONFIRM_OK', {}, tx.flows);
      if (factor.status === 'pending') {
        if (!(await tx.factors.activate(factor.id, now, check.usedStep ?? null))) {
          if (await tx.factors.findActive(userId, factor.kind)) throw alreadyActive(factor.kind);
          throw new TesseraError('FACTOR_NOT_PENDING');
        }
        await method.onActivate?.(factor, tx);
      } else if (!(await tx.factors.findActive(userId, factor.kind))) {
        throw new TesseraError('FLOW_FINISHED', { message: 'The method was turned off meanwhile; start again.' });
      }
      if (check.enrolled) await method.onEnrolled?.(factor, check.enrolled, tx);
      const notices = [
        await changes.recordIn(tx, { userId, method: factor.kind, action: 'enable', enabled: true }, context),
      ];
      if (data.backupCodeHashes && (await this.deps.backupCodes.install(userId, data.backupCodeHashes, tx))) {
        notices.push(
          await changes.recordIn(tx, { userId, method: 'backup_codes', action: 'enable', enabled: true }, context),
        );
      }
      return { done, notify: () => Promise.all(notices.map((send) => send())) };
    });
    await notify();
    logger.info({ userId, factorId: factor.id, kind: factor.kind }, 'factor enabled');
    const active: FactorRecord =
      factor.status === 'active' ? factor : { ...factor, status: 'active', activatedAt: now, expiresAt: null };
    return { ...view(done, factor.kind), factor: toFactorView(active, method.describe(active)) };
  }

  /**
   * Refuses, with TOTP_SETTINGS_IGNORED, a confirming code that is right only under SHA1/6/30
   * when the enrollment asked for other settings (see ignored-settings.ts). It is checked before
   * the code's shape, since such an app shows 6 digits where 8 were asked for. It counts no try
   * and touches no lockout: only someone holding the newly issued key can make such a code.
   */
  private assertSettingsHonoured(factor: FactorOf<'totp'>, proof: Proof): void {
    const params = totpParams(factor);
    if (!asksForNonDefaultSettings(params) || proof.type !== 'code' || !/^\d{6}$/.test(proof.code)) return;
    const key = openTotpKey(this.deps.secretBox, factor);
    const ignored = codeShowsIgnoredSettings(
      key,
      proof.code,
      Math.floor(this.deps.clock.now().getTime() / 1000),
      params,
    );
    key.fill(0);
    if (ignored) {
      throw new TesseraError('TOTP_SETTINGS_IGNORED', {
        message:
          `The code fits the standard settings, not the ${params.algorithm}, ${params.digits}-digit, ` +
          `${params.period}-second ones this enrollment asked for: the app ignored them. Switch the enrollment ` +
          'to the standard settings and confirm again.',
      });
    }
  }

  private async assertPending(factorId: string, userId: string): Promise<void> {
    const factor = await this.deps.storage.factors.findById(factorId);
    // Someone else's factor is "not found": its existence is none of the caller's business.
    if (!factor || factor.userId !== userId) throw new TesseraError('FACTOR_NOT_FOUND');
    if (factor.status !== 'pending') throw new TesseraError('FACTOR_NOT_PENDING');
    if (factor.expiresAt !== null && factor.expiresAt <= this.deps.clock.now()) {
      throw new TesseraError('ENROLLMENT_EXPIRED');
    }
  }

  /**
   * The factor an enrollment confirms: a pending one, or (`orAdding`, for a method that adds
   * credentials to its active factor) the active one.
   */
  private async pendingFactor(factorId: string, orAdding = false): Promise<FactorRecord> {
    const factor = await this.deps.storage.factors.findById(factorId);
    if (!factor) throw new TesseraError('FLOW_FINISHED', { message: 'The enrollment was replaced or removed.' });
    const adding = orAdding && factor.status === 'active' && this.deps.methods.of(factor).addsToActive === true;
    if (factor.status !== 'pending' && !adding) throw new TesseraError('FACTOR_NOT_PENDING');
    return factor;
  }
}

export function view(flow: FlowRecord, method: FactorKind): ProcedureView {
  return {
    flowId: flow.id,
    method,
    // Only the enable and disable machines' flows come here, loaded under their current names.
    state: flow.state as EnableState | DisableState,
    attempts: flow.attempts,
    expiresAt: flow.expiresAt.toISOString(),
  };
}
