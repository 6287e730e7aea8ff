import type { SecretBox } from '../../crypto/secret-box.js';
import type { DeliveredCodeService, SentCode } from '../../delivery/delivered-code-service.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { FactorService } from '../../factors/factor-service.js';
import type { SecondFactorVerifier } from '../../factors/second-factor-verifier.js';
import type { ChangeContext } from '../../history/history-service.js';
import type { BackupCodeService } from '../../methods/backup-codes/backup-code-service.js';
import { codeDestination } from '../../methods/sms/sms-factor.js';
import type { IssuerSettings } from '../../settings/issuer-settings.js';
import type { FactorKind, FactorRecord, UserRecord } from '../../storage/records.js';
import type { FactorRepository, UserRepository } from '../../storage/repositories.js';
import type { SuccessTokenService } from '../../success-tokens/success-token-service.js';
import { type ProcedureView, view } from '../enable/enable.flow.js';
import { type FlowStore, flowData } from '../flow-store.js';
import { DISABLE_MAX_ATTEMPTS, DISABLE_TTL_SECONDS, disableMachine } from './disable.machine.js';

export interface DisableStart extends ProcedureView {
  delivery?: SentCode;
}

/** Proof for turning a method off: a current code of that method, or a success token for it. */
export type DisableProof = { code: string } | { successToken: string };

interface DisableData {
  factorId: string;
  deliveredCodeId?: string;
}

const DISABLE_PURPOSE = 'disable';

/**
 * Turning a method off: start (SMS and e-mail send a code to the method itself), then confirm
 * with a current code of that method or a success token issued for `disable_factor` on it.
 */
export class DisableFlow {
  constructor(
    private readonly deps: {
      flows: FlowStore;
      factors: FactorRepository;
      users: UserRepository;
      factorService: FactorService;
      verifier: SecondFactorVerifier;
      backupCodes: BackupCodeService;
      deliveredCodes: DeliveredCodeService;
      successTokens: SuccessTokenService;
      issuers: IssuerSettings;
      secretBox: SecretBox;
    },
  ) {}

  async start(userId: string, method: FactorKind): Promise<DisableStart> {
    const { factors, users, flows } = this.deps;
    const factor = await factors.findActive(userId, method);
    if (!factor) throw new TesseraError('METHOD_NOT_ACTIVE');
    const user = await users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    const delivery = method === 'sms' || method === 'email' ? await this.sendCode(user, factor) : undefined;
    const flow = await flows.create(disableMachine, userId, DISABLE_TTL_SECONDS, {
      factorId: factor.id,
      deliveredCodeId: delivery?.id,
    });
    return { ...view(flow, method), ...(delivery ? { delivery } : {}) };
  }

  async confirm(userId: string, flowId: string, proof: DisableProof, context: ChangeContext): Promise<ProcedureView> {
    const { flows, factors, verifier, successTokens } = this.deps;
    const flow = await flows.load(disableMachine, flowId, userId);
    await flows.assertOpen(disableMachine, flow, 'EXPIRE');
    const data = flowData<DisableData>(flow);
    const factor = await factors.findById(data.factorId);
    if (factor?.status !== 'active') {
      throw new TesseraError('FLOW_FINISHED', { message: 'The method is not active any more.' });
    }

    if ('successToken' in proof) {
      await successTokens.consumeFor(userId, proof.successToken, 'disable_factor', factor.kind);
    } else {
      await flows.countedCheck(
        disableMachine,
        flow,
        () =>
          verifier.verifyFactor(
            factor,
            { method: factor.kind, code: proof.code, deliveredCodeId: data.deliveredCodeId },
            [DISABLE_PURPOSE],
          ),
        { failEvent: 'CONFIRM_FAIL', exhaustedEvent: 'ATTEMPTS_EXHAUSTED', maxAttempts: DISABLE_MAX_ATTEMPTS },
      );
    }
    const done = await flows.advance(disableMachine, flow, 'CONFIRM_OK');
    await this.remove(factor, context);
    return view(done, factor.kind);
  }

  async resend(userId: string, flowId: string): Promise<SentCode> {
    const { flows, factors, users } = this.deps;
    const flow = await flows.load(disableMachine, flowId, userId);
    await flows.assertOpen(disableMachine, flow, 'EXPIRE');
    const data = flowData<DisableData>(flow);
    const factor = await factors.findById(data.factorId);
    const user = await users.findById(userId);
    if (!factor || !user || (factor.kind !== 'sms' && factor.kind !== 'email')) {
      throw new TesseraError('FLOW_TRANSITION_INVALID', { message: 'Only SMS and e-mail codes can be resent.' });
    }
    const sent = await this.sendCode(user, factor);
    await flows.advance(disableMachine, flow, 'RESEND', { data: { ...data, deliveredCodeId: sent.id } });
    return sent;
  }

  private async remove(factor: FactorRecord, context: ChangeContext): Promise<void> {
    if (factor.kind === 'backup_codes') await this.deps.backupCodes.removeAll(factor.userId);
    await this.deps.factorService.delete(factor, context);
  }

  private async sendCode(user: UserRecord, factor: FactorRecord): Promise<SentCode> {
    const channel = factor.kind === 'sms' ? 'sms' : 'email';
    return this.deps.deliveredCodes.send({
      userId: user.id,
      purpose: DISABLE_PURPOSE,
      channel,
      destination: codeDestination(this.deps.secretBox, user, channel, factor),
      action: `turn off ${factor.kind === 'sms' ? 'SMS' : 'e-mail'} codes`,
      issuer: await this.deps.issuers.issuerFor(user),
    });
  }
}
