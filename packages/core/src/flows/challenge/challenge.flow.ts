import type { Clock } from '../../clock.js';
import { newId } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { DeliveredCodeService, SentCode } from '../../delivery/delivered-code-service.js';
import { isTesseraError, TesseraError } from '../../errors/tessera-error.js';
import type { SecondFactorVerifier } from '../../factors/second-factor-verifier.js';
import type { Logger } from '../../logger.js';
import { codeDestination } from '../../methods/sms/sms-factor.js';
import type { IssuerSettings } from '../../settings/issuer-settings.js';
import type { FactorKind, FlowRecord, UserRecord } from '../../storage/records.js';
import type { FactorRepository, UserRepository } from '../../storage/repositories.js';
import type {
  IssuedSuccessToken,
  SuccessTokenOperation,
  SuccessTokenService,
} from '../../success-tokens/success-token-service.js';
import { type FlowStore, flowData } from '../flow-store.js';
import {
  CHALLENGE_MAX_ATTEMPTS,
  CHALLENGE_TTL_SECONDS,
  challengeMachine,
  recoveryMachine,
} from './challenge.machine.js';

export interface ChallengeStartInput {
  operation: SuccessTokenOperation;
  /** What the operation applies to: for `disable_factor`, the method. */
  target?: string | null;
  /** How to prove it: `email` (the default) sends a code to the account's address. */
  method?: FactorKind;
}

export interface ChallengeView {
  challengeId: string;
  operation: SuccessTokenOperation;
  method: FactorKind;
  state: string;
  attempts: number;
  expiresAt: string;
  delivery?: SentCode;
}

/** What an unauthorized challenge answers, whether or not the account exists. */
export interface RecoveryStart {
  challengeId: string;
  state: 'awaiting_code';
  channel: 'email';
  sentAt: string;
  expiresAt: string;
}

interface ChallengeData {
  operation: SuccessTokenOperation;
  target: string | null;
  method: FactorKind;
  deliveredCodeId?: string;
}

const CHALLENGE_PURPOSE = 'challenge';
const CHALLENGE_RULE = {
  failEvent: 'VERIFY_FAIL',
  exhaustedEvent: 'ATTEMPTS_EXHAUSTED',
  maxAttempts: CHALLENGE_MAX_ATTEMPTS,
} as const;
const RECOVERY_PURPOSE = 'recovery';

/**
 * Step-up challenges: prove presence again and receive a success token for one operation.
 * The authorized kind is for a signed-in user; the unauthorized kind (password recovery) is for
 * someone who is not, and never reveals whether the account exists.
 */
export class ChallengeFlow {
  constructor(
    private readonly deps: {
      flows: FlowStore;
      factors: FactorRepository;
      users: UserRepository;
      verifier: SecondFactorVerifier;
      deliveredCodes: DeliveredCodeService;
      successTokens: SuccessTokenService;
      issuers: IssuerSettings;
      secretBox: SecretBox;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  async start(userId: string, input: ChallengeStartInput): Promise<ChallengeView> {
    const { users, factors, flows } = this.deps;
    const method = input.method ?? 'email';
    if (input.operation === 'reset_password') {
      throw new TesseraError('VALIDATION_FAILED', { message: 'Password recovery uses the unauthorized challenge.' });
    }
    const user = await users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    const factor = await factors.findActive(userId, method);
    // E-mail codes go to the account's address whether or not e-mail is an enrolled factor.
    if (!factor && method !== 'email') throw new TesseraError('METHOD_NOT_ACTIVE');

    let delivery: SentCode | undefined;
    if (method === 'email' || method === 'sms') {
      const destination = codeDestination(this.deps.secretBox, user, method, factor);
      delivery = await this.deps.deliveredCodes.send({
        userId,
        purpose: CHALLENGE_PURPOSE,
        channel: method,
        destination,
        action: `confirm: ${input.operation.replaceAll('_', ' ')}`,
        issuer: await this.deps.issuers.issuerFor(user),
      });
    }
    const data: ChallengeData = {
      operation: input.operation,
      target: input.target ?? null,
      method,
      deliveredCodeId: delivery?.id,
    };
    const flow = await flows.create(challengeMachine, userId, CHALLENGE_TTL_SECONDS, data);
    return challengeView(flow, data, delivery);
  }

  async confirm(userId: string, challengeId: string, code: string): Promise<IssuedSuccessToken> {
    const { flows, verifier } = this.deps;
    const flow = await flows.load(challengeMachine, challengeId, userId);
    await flows.assertOpen(challengeMachine, flow, 'EXPIRE');
    const data = flowData<ChallengeData>(flow);
    await flows.countedCheck(
      challengeMachine,
      flow,
      () =>
        (data.method === 'email' || data.method === 'sms') && data.deliveredCodeId
          ? verifier.verifyDeliveredCode(userId, data.method, code, data.deliveredCodeId, [CHALLENGE_PURPOSE])
          : verifier.verify(userId, { method: data.method, code }, [CHALLENGE_PURPOSE]),
      CHALLENGE_RULE,
    );
    await flows.advance(challengeMachine, flow, 'VERIFY_OK');
    return this.deps.successTokens.issue(userId, data.operation, data.target);
  }

  async status(userId: string, challengeId: string): Promise<ChallengeView> {
    const flow = await this.deps.flows.load(challengeMachine, challengeId, userId);
    return challengeView(flow, flowData<ChallengeData>(flow));
  }

  /**
   * Password recovery by username or e-mail address. The answer is built the same way whether
   * or not the account exists, and the e-mail goes out in the background so that neither the
   * body nor the timing tells the two apart. Delivery problems are logged, not reported.
   */
  async startRecovery(login: string): Promise<RecoveryStart> {
    const { users, clock } = this.deps;
    const now = clock.now();
    const challengeId = newId();
    const answer: RecoveryStart = {
      challengeId,
      state: 'awaiting_code',
      channel: 'email',
      sentAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000).toISOString(),
    };
    const user = login.includes('@') ? await users.findByEmail(login) : await users.findByUsername(login);
    if (user?.email) void this.sendRecovery(user, challengeId);
    return answer;
  }

  /**
   * A wrong code, an unknown id, an account that does not exist, an expired or finished
   * challenge and a locked account all answer CODE_INVALID: no refusal tells them apart.
   */
  async confirmRecovery(challengeId: string, code: string): Promise<IssuedSuccessToken> {
    this.deps.deliveredCodes.assertWellFormed(code);
    let userId: string;
    try {
      userId = await this.passRecovery(challengeId, code);
    } catch (error) {
      if (isTesseraError(error)) throw new TesseraError('CODE_INVALID', { detail: error.code });
      throw error;
    }
    return this.deps.successTokens.issue(userId, 'reset_password', null);
  }

  private async passRecovery(challengeId: string, code: string): Promise<string> {
    const { flows, verifier } = this.deps;
    const flow = await flows.load(recoveryMachine, challengeId);
    await flows.assertOpen(recoveryMachine, flow, 'EXPIRE');
    await flows.countedCheck(
      recoveryMachine,
      flow,
      () => verifier.verifyDeliveredCode(flow.userId, 'email', code, flow.id, [RECOVERY_PURPOSE], 'recovery'),
      CHALLENGE_RULE,
    );
    await flows.advance(recoveryMachine, flow, 'VERIFY_OK');
    return flow.userId;
  }

  private async sendRecovery(user: UserRecord, challengeId: string): Promise<void> {
    try {
      await this.deps.flows.createWithId(recoveryMachine, challengeId, user.id, CHALLENGE_TTL_SECONDS, {});
      await this.deps.deliveredCodes.send({
        id: challengeId,
        userId: user.id,
        purpose: RECOVERY_PURPOSE,
        channel: 'email',
        destination: user.email ?? '',
        action: 'reset your password',
        issuer: await this.deps.issuers.issuerFor(user),
      });
    } catch (error) {
      this.deps.logger.error(
        { userId: user.id, err: error instanceof Error ? error.message : String(error) },
        'password recovery code not sent',
      );
    }
  }
}

function challengeView(flow: FlowRecord, data: ChallengeData, delivery?: SentCode): ChallengeView {
  return {
    challengeId: flow.id,
    operation: data.operation,
    method: data.method,
    state: flow.state,
    attempts: flow.attempts,
    expiresAt: flow.expiresAt.toISOString(),
    ...(delivery ? { delivery } : {}),
  };
}
