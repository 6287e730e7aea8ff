import type { Clock } from '../../clock.js';
import { newId } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { DeliveredCodeService, SentCode } from '../../delivery/delivered-code-service.js';
import { maskDestination } from '../../delivery/delivered-code-service.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { FactorChanges } from '../../factors/factor-changes.js';
import type { FactorService } from '../../factors/factor-service.js';
import type { FactorView } from '../../factors/factor-view.js';
import type { SecondFactorVerifier } from '../../factors/second-factor-verifier.js';
import type { ChangeContext } from '../../history/history-service.js';
import type { BackupCodeService, BackupCodeSet } from '../../methods/backup-codes/backup-code-service.js';
import { normalizePhoneNumber } from '../../methods/sms/phone-number.js';
import { codeDestination, openPhone, sealPhone } from '../../methods/sms/sms-factor.js';
import type { TotpEnrollmentDisplay } from '../../methods/totp/totp.method.js';
import type { TotpParams } from '../../otp/index.js';
import type { PolicyService } from '../../policy/policy-service.js';
import type { IssuerSettings } from '../../settings/issuer-settings.js';
import type { FactorKind, FactorRecord, FlowRecord, UserRecord } from '../../storage/records.js';
import type { FactorRepository, UserRepository } from '../../storage/repositories.js';
import { type FlowStore, flowData } from '../flow-store.js';
import { ENABLE_MAX_ATTEMPTS, ENABLE_TTL_SECONDS, enableMachine } from './enable.machine.js';

export interface EnableStartInput {
  method: FactorKind;
  /** SMS: the phone number to enroll (E.164). */
  phone?: string;
  /** TOTP: parameters other than the SHA1/6/30 default (most apps ignore them). */
  totp?: Partial<TotpParams>;
}

export interface ProcedureView {
  flowId: string;
  method: FactorKind;
  state: string;
  attempts: number;
  expiresAt: string;
}

export interface EnableStart extends ProcedureView {
  factorId: string;
  totp?: TotpEnrollmentDisplay;
  delivery?: SentCode;
  /** Backup codes are active at once: the set is shown here, once. */
  backupCodes?: BackupCodeSet;
}

export interface EnableResult extends ProcedureView {
  factor: FactorView;
}

interface EnableData {
  factorId: string;
  deliveredCodeId?: string;
}

const ENABLE_PURPOSE: Record<string, string> = { sms: 'enable_sms', email: 'enable_email' };

/**
 * Turning a method on: start (TOTP shows its key, SMS and e-mail send a code), then confirm with
 * a code; the factor is active only after that. Backup codes need no confirmation.
 */
export class EnableFlow {
  private readonly store: FlowStore;

  constructor(
    private readonly deps: {
      flows: FlowStore;
      factors: FactorRepository;
      users: UserRepository;
      factorService: FactorService;
      verifier: SecondFactorVerifier;
      backupCodes: BackupCodeService;
      deliveredCodes: DeliveredCodeService;
      changes: FactorChanges;
      policy: PolicyService;
      issuers: IssuerSettings;
      secretBox: SecretBox;
      clock: Clock;
    },
  ) {
    this.store = deps.flows;
  }

  async start(userId: string, input: EnableStartInput, context: ChangeContext): Promise<EnableStart> {
    const { users, factors, policy } = this.deps;
    await policy.assertMethodAllowed(input.method);
    const user = await users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    if (await factors.findActive(userId, input.method)) throw new TesseraError('FACTOR_ALREADY_ACTIVE');

    switch (input.method) {
      case 'totp': {
        const enrollment = await this.deps.factorService.beginTotp(userId, input.totp ?? {});
        const { factor, ...display } = enrollment;
        const flow = await this.store.create(enableMachine, userId, ENABLE_TTL_SECONDS, { factorId: factor.id });
        return { ...view(flow, 'totp'), factorId: factor.id, totp: display };
      }
      case 'sms':
      case 'email':
        return this.startDelivered(user, input.method, input.phone);
      case 'backup_codes': {
        const set = await this.deps.backupCodes.generate(userId);
        const marker = await factors.findActive(userId, 'backup_codes');
        const flow = await this.store.create(enableMachine, userId, ENABLE_TTL_SECONDS, { factorId: marker?.id });
        const done = await this.store.advance(enableMachine, flow, 'CONFIRM_OK');
        await this.deps.changes.record(userId, 'backup_codes', 'enable', true, context);
        return { ...view(done, 'backup_codes'), factorId: marker?.id ?? '', backupCodes: set };
      }
    }
  }

  async confirm(userId: string, flowId: string, code: string, context: ChangeContext): Promise<EnableResult> {
    const flow = await this.store.load(enableMachine, flowId, userId);
    await this.store.assertOpen(enableMachine, flow, 'EXPIRE');
    const data = flowData<EnableData>(flow);
    const factor = await this.pendingFactor(data.factorId);
    const check = await this.store.countedCheck(
      enableMachine,
      flow,
      () =>
        this.deps.verifier.verifyFactor(factor, { method: factor.kind, code, deliveredCodeId: data.deliveredCodeId }, [
          ENABLE_PURPOSE[factor.kind] ?? '',
        ]),
      { failEvent: 'CONFIRM_FAIL', exhaustedEvent: 'ATTEMPTS_EXHAUSTED', maxAttempts: ENABLE_MAX_ATTEMPTS },
    );
    const done = await this.store.advance(enableMachine, flow, 'CONFIRM_OK');
    const active = await this.deps.factorService.activate(factor, check.factor?.lastUsedStep ?? null, context);
    if (factor.kind === 'sms') {
      await this.deps.users.updatePhone(userId, openPhone(this.deps.secretBox, factor));
    }
    return { ...view(done, factor.kind), factor: active };
  }

  /** Sends a fresh code for an SMS or e-mail enrollment (after the resend cooldown). */
  async resend(userId: string, flowId: string): Promise<SentCode> {
    const flow = await this.store.load(enableMachine, flowId, userId);
    await this.store.assertOpen(enableMachine, flow, 'EXPIRE');
    const data = flowData<EnableData>(flow);
    const factor = await this.pendingFactor(data.factorId);
    if (factor.kind !== 'sms' && factor.kind !== 'email') {
      throw new TesseraError('FLOW_TRANSITION_INVALID', { message: 'Only SMS and e-mail codes can be resent.' });
    }
    const user = await this.deps.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    const sent = await this.sendCode(
      user,
      factor.kind,
      codeDestination(this.deps.secretBox, user, factor.kind, factor),
    );
    await this.store.advance(enableMachine, flow, 'RESEND', { data: { ...data, deliveredCodeId: sent.id } });
    return sent;
  }

  async status(userId: string, flowId: string): Promise<ProcedureView> {
    const flow = await this.store.load(enableMachine, flowId, userId);
    const data = flowData<EnableData>(flow);
    const factor = data.factorId ? await this.deps.factors.findById(data.factorId) : undefined;
    return view(flow, factor?.kind ?? 'totp');
  }

  private async startDelivered(user: UserRecord, method: 'sms' | 'email', phoneInput?: string): Promise<EnableStart> {
    const { factors, clock, secretBox } = this.deps;
    let destination: string;
    if (method === 'sms') {
      const phone = phoneInput ?? user.phone;
      if (!phone) throw new TesseraError('PHONE_REQUIRED', { message: 'Give the phone number to send codes to.' });
      destination = normalizePhoneNumber(phone);
    } else {
      if (!user.email) throw new TesseraError('EMAIL_REQUIRED');
      destination = user.email;
    }
    // The code goes out before anything is written: a provider failure leaves no pending factor.
    const sent = await this.sendCode(user, method, destination);
    const now = clock.now();
    const id = newId();
    const factor: FactorRecord = {
      id,
      userId: user.id,
      kind: method,
      status: 'pending',
      sealedSecret: method === 'sms' ? sealPhone(secretBox, id, destination) : null,
      params: JSON.stringify(
        method === 'sms'
          ? { phone: maskDestination('sms', destination) }
          : { email: maskDestination('email', destination) },
      ),
      lastUsedStep: null,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ENABLE_TTL_SECONDS * 1000),
      activatedAt: null,
    };
    await factors.insertPending(factor);
    const flow = await this.store.create(enableMachine, user.id, ENABLE_TTL_SECONDS, {
      factorId: id,
      deliveredCodeId: sent.id,
    });
    return { ...view(flow, method), factorId: id, delivery: sent };
  }

  private async sendCode(user: UserRecord, method: 'sms' | 'email', destination: string): Promise<SentCode> {
    return this.deps.deliveredCodes.send({
      userId: user.id,
      purpose: ENABLE_PURPOSE[method] ?? method,
      channel: method,
      destination,
      action: method === 'sms' ? 'confirm this phone number' : 'confirm this e-mail address',
      issuer: await this.deps.issuers.issuerFor(user),
    });
  }

  private async pendingFactor(factorId: string): Promise<FactorRecord> {
    const factor = await this.deps.factors.findById(factorId);
    if (!factor) throw new TesseraError('FLOW_FINISHED', { message: 'The enrollment was replaced or removed.' });
    if (factor.status !== 'pending') throw new TesseraError('FACTOR_NOT_PENDING');
    return factor;
  }
}

export function view(flow: FlowRecord, method: FactorKind): ProcedureView {
  return {
    flowId: flow.id,
    method,
    state: flow.state,
    attempts: flow.attempts,
    expiresAt: flow.expiresAt.toISOString(),
  };
}
