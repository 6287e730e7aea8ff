import type { AccountService } from '../../accounts/account-service.js';
import { type Actor, clientIpOf } from '../../auth/actor.js';
import type { Authorizer } from '../../auth/authorizer.js';
import { newId } from '../../crypto/random.js';
import type { SentCode } from '../../delivery/delivered-code-service.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { FactorChanges } from '../../factors/factor-changes.js';
import type { SecondFactorVerifier } from '../../factors/second-factor-verifier.js';
import { type ChangeContext, changeContextFor } from '../../history/history-service.js';
import type { Logger } from '../../logger.js';
import type { MethodRegistry } from '../../methods/method-registry.js';
import type { Proof } from '../../methods/second-factor-method.js';
import type { IssuedWebAuthnChallenge } from '../../methods/webauthn/webauthn-ceremonies.js';
import type { DeliveryChannel, FactorKind, FactorRecord, UserRecord } from '../../storage/records.js';
import type { Repositories, Storage } from '../../storage/repositories.js';
import type { SuccessTokenService } from '../../success-tokens/success-token-service.js';
import { type ProcedureView, view } from '../enable/enable.flow.js';
import { type FlowStore, flowData } from '../flow-store.js';
import type { CodeMessenger } from '../shared/code-messenger.js';
import { DISABLE_MAX_ATTEMPTS, DISABLE_TTL_SECONDS, disableMachine } from './disable.machine.js';

export interface DisableStart extends ProcedureView {
  delivery?: SentCode;
  /** WebAuthn: options for `navigator.credentials.get()`; confirm with the assertion. */
  webauthn?: IssuedWebAuthnChallenge;
}

/** Proof for turning a method off: a current proof of that method, or a success token for it. */
export type DisableProof = { proof: Proof } | { successToken: string };

/** A disable in one call (Mudbase `{password, code}`): no procedure to start first. */
export interface DisableNowInput {
  method: FactorKind;
  /** The account's password, when the API shape asks for it as well. */
  password?: string;
  proof: DisableProof;
}

interface DisableData {
  factorId: string;
  deliveredCodeId?: string;
  challengeId?: string;
}

const DISABLE_PURPOSE = 'disable';

const DISABLE_ACTION: Record<DeliveryChannel, string> = {
  sms: 'turn off SMS codes',
  email: 'turn off e-mail codes',
};

/**
 * The one way a method is turned off, for every API shape: start (SMS and e-mail send a code to
 * the method itself), then confirm with a current proof of that method or a success token issued
 * for `disable_factor` on it, within 10 minutes and 5 tries. The success token, the flow and the
 * factor change in one transaction.
 */
export class DisableFlow {
  constructor(
    private readonly deps: {
      storage: Storage;
      flows: FlowStore;
      methods: MethodRegistry;
      verifier: SecondFactorVerifier;
      messenger: CodeMessenger;
      successTokens: SuccessTokenService;
      accounts: AccountService;
      changes: FactorChanges;
      authorizer: Authorizer;
      logger: Logger;
    },
  ) {}

  async start(actor: Actor, method: FactorKind): Promise<DisableStart> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    return this.startOwn(userId, method, { sendCode: true, clientIp: clientIpOf(actor) });
  }

  async confirm(actor: Actor, flowId: string, proof: DisableProof): Promise<ProcedureView> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    return this.confirmOwn(userId, flowId, proof, changeContextFor(actor, userId));
  }

  /**
   * Start and confirm in one call. A code must come from the method itself without being sent
   * (an authenticator app, a backup code); SMS and e-mail need a procedure, or a success token.
   */
  async disableNow(actor: Actor, input: DisableNowInput): Promise<ProcedureView> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    if (input.password !== undefined) await this.deps.accounts.confirmPassword(actor, userId, input.password);
    const method = this.deps.methods.get(input.method);
    if ('proof' in input.proof && method.channel !== null) {
      throw new TesseraError('METHOD_REQUIRED', {
        message: 'An SMS or e-mail code must be sent first: start a disable procedure, or use a success token.',
      });
    }
    const started = await this.startOwn(userId, input.method, { sendCode: false, clientIp: clientIpOf(actor) });
    return this.confirmOwn(userId, started.flowId, input.proof, changeContextFor(actor, userId));
  }

  /**
   * Removes one of the caller's factors by id: a pending one at once, an active one as disableNow
   * with a current code of it.
   */
  async removeFactor(actor: Actor, factorId: string, code: string | undefined): Promise<void> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    const factor = await this.deps.storage.factors.findById(factorId);
    if (!factor || factor.userId !== userId) throw new TesseraError('FACTOR_NOT_FOUND');
    if (factor.status === 'pending') {
      if (!(await this.deps.storage.factors.delete(factor.id))) throw new TesseraError('FACTOR_NOT_FOUND');
      return;
    }
    if (code === undefined) throw new TesseraError('VALIDATION_FAILED', { message: 'A current code is required.' });
    await this.disableNow(actor, { method: factor.kind, proof: { proof: { type: 'code', code } } });
  }

  async resend(actor: Actor, flowId: string): Promise<SentCode> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    const { flows, storage } = this.deps;
    const flow = await flows.load(disableMachine, flowId, userId);
    await flows.assertOpen(disableMachine, flow, 'EXPIRE');
    const data = flowData<DisableData>(flow);
    const factor = await storage.factors.findById(data.factorId);
    const user = await storage.users.findById(userId);
    const sent = factor && user ? await this.sendCode(user, factor, clientIpOf(actor)) : undefined;
    if (!sent)
      throw new TesseraError('FLOW_TRANSITION_INVALID', { message: 'Only SMS and e-mail codes can be resent.' });
    await flows.advance(disableMachine, flow, 'RESEND', { data: { ...data, deliveredCodeId: sent.id } });
    return sent;
  }

  private async startOwn(
    userId: string,
    kind: FactorKind,
    options: { sendCode: boolean; clientIp: string | null },
  ): Promise<DisableStart> {
    const { storage, flows } = this.deps;
    const factor = await storage.factors.findActive(userId, kind);
    if (!factor) throw new TesseraError('METHOD_NOT_ACTIVE');
    const user = await storage.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    const delivery = options.sendCode ? await this.sendCode(user, factor, options.clientIp) : undefined;
    const flowId = newId();
    const webauthn = await this.deps.methods.of(factor).issueChallenge?.(factor, { purpose: DISABLE_PURPOSE, flowId });
    const data: DisableData = {
      factorId: factor.id,
      ...(delivery ? { deliveredCodeId: delivery.id } : {}),
      ...(webauthn ? { challengeId: webauthn.challengeId } : {}),
    };
    const flow = await flows.createWithId(disableMachine, flowId, userId, DISABLE_TTL_SECONDS, data);
    return { ...view(flow, kind), ...(delivery ? { delivery } : {}), ...(webauthn ? { webauthn } : {}) };
  }

  private async confirmOwn(
    userId: string,
    flowId: string,
    proof: DisableProof,
    context: ChangeContext,
  ): Promise<ProcedureView> {
    const { flows, storage, methods, verifier, successTokens, changes, logger } = this.deps;
    const flow = await flows.load(disableMachine, flowId, userId);
    await flows.assertOpen(disableMachine, flow, 'EXPIRE');
    const data = flowData<DisableData>(flow);
    const factor = await storage.factors.findById(data.factorId);
    if (factor?.status !== 'active') {
      throw new TesseraError('FLOW_FINISHED', { message: 'The method is not active any more.' });
    }
    if ('proof' in proof) {
      await flows.countedCheck(
        disableMachine,
        flow,
        () =>
          verifier.verifyFactor(factor, proof.proof, {
            purposes: [DISABLE_PURPOSE],
            ...(data.deliveredCodeId ? { deliveredCodeId: data.deliveredCodeId } : {}),
            ...(data.challengeId ? { challengeId: data.challengeId, flowId: flow.id } : {}),
          }),
        { failEvent: 'CONFIRM_FAIL', exhaustedEvent: 'ATTEMPTS_EXHAUSTED', maxAttempts: DISABLE_MAX_ATTEMPTS },
      );
    }
    const method = methods.of(factor);
    // The success token, the flow, the factor, the method's data and the history entry change
    // together: a failure anywhere leaves the token usable and the method on.
    const { done, notify } = await storage.transaction(async (tx) => {
      if ('successToken' in proof) {
        await successTokens.consumeFor(userId, proof.successToken, 'disable_factor', factor.kind, tx.successTokens);
      }
      const done = await flows.advance(disableMachine, flow, 'CONFIRM_OK', {}, tx.flows);
      await method.onRemove?.(factor, tx);
      if (!(await tx.factors.delete(factor.id))) throw new TesseraError('FACTOR_NOT_FOUND');
      const notices = [
        await changes.recordIn(tx, { userId, method: factor.kind, action: 'disable', enabled: false }, context),
      ];
      // Backup codes stand in for a lost authenticator; with no other factor left they would be
      // a second factor of their own, printed on paper. They go with the last one.
      const orphaned = await this.orphanedBackupCodes(userId, tx);
      if (orphaned) {
        await methods.of(orphaned).onRemove?.(orphaned, tx);
        await tx.factors.delete(orphaned.id);
        notices.push(
          await changes.recordIn(tx, { userId, method: orphaned.kind, action: 'disable', enabled: false }, context),
        );
      }
      return { done, notify: () => Promise.all(notices.map((send) => send())) };
    });
    await notify();
    logger.info({ userId, factorId: factor.id, kind: factor.kind }, 'factor removed');
    return view(done, factor.kind);
  }

  /** The backup-code set of an account that has no other active factor left. */
  private async orphanedBackupCodes(userId: string, tx: Repositories): Promise<FactorRecord | undefined> {
    const kinds = await tx.factors.activeKinds(userId);
    if (kinds.length !== 1 || kinds[0] !== 'backup_codes') return undefined;
    return tx.factors.findActive(userId, 'backup_codes');
  }

  private async sendCode(
    user: UserRecord,
    factor: FactorRecord,
    clientIp: string | null,
  ): Promise<SentCode | undefined> {
    const method = this.deps.methods.of(factor);
    if (method.channel === null || !method.destination) return undefined;
    return this.deps.messenger.send(user, {
      channel: method.channel,
      destination: method.destination(factor, user),
      purpose: DISABLE_PURPOSE,
      action: DISABLE_ACTION[method.channel],
      clientIp,
    });
  }
}
