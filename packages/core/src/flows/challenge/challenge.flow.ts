import { type Actor, clientIpOf } from '../../auth/actor.js';
import type { Authorizer } from '../../auth/authorizer.js';
import { newId } from '../../crypto/random.js';
import type { SentCode } from '../../delivery/delivered-code-service.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { SecondFactorVerifier } from '../../factors/second-factor-verifier.js';
import { accountAddress } from '../../methods/email/email.method.js';
import type { MethodRegistry } from '../../methods/method-registry.js';
import { assertionProof, codeProof, type Proof } from '../../methods/second-factor-method.js';
import type { IssuedWebAuthnChallenge } from '../../methods/webauthn/webauthn-ceremonies.js';
import type { FactorKind, FlowRecord } from '../../storage/records.js';
import type { Storage } from '../../storage/repositories.js';
import type {
  IssuedSuccessToken,
  SuccessTokenOperation,
  SuccessTokenService,
} from '../../success-tokens/success-token-service.js';
import { type FlowStore, flowData } from '../flow-store.js';
import type { CodeMessenger } from '../shared/code-messenger.js';
import {
  CHALLENGE_MAX_ATTEMPTS,
  CHALLENGE_TTL_SECONDS,
  type ChallengeState,
  challengeMachine,
} from './challenge.machine.js';

export interface ChallengeStartInput {
  operation: SuccessTokenOperation;
  /** What the operation applies to: for `disable_factor`, the method. */
  target?: string | null;
  /**
   * How to prove it: one of the account's active factors. `email` (the default) sends a code to
   * the account's address; without an enrolled e-mail factor it is accepted only for
   * `change_password` on an account with no active factor at all.
   */
  method?: FactorKind;
}

export interface ChallengeView {
  challengeId: string;
  operation: SuccessTokenOperation;
  method: FactorKind;
  state: ChallengeState;
  attempts: number;
  expiresAt: string;
  delivery?: SentCode;
  /** How many digits the code has, where the method's codes all have the same number. */
  codeDigits?: number;
  /** WebAuthn: options for `navigator.credentials.get()`; confirm with the assertion. */
  webauthn?: IssuedWebAuthnChallenge;
}

interface ChallengeData {
  operation: SuccessTokenOperation;
  target: string | null;
  method: FactorKind;
  deliveredCodeId?: string;
  challengeId?: string;
}

const CHALLENGE_PURPOSE = 'challenge';
const DEFAULT_CHALLENGE_METHOD: FactorKind = 'email';

/**
 * Step-up challenges: a signed-in user proves presence again and receives a success token for
 * one operation. Password recovery, for someone not signed in, is the RecoveryFlow.
 */
export class ChallengeFlow {
  constructor(
    private readonly deps: {
      storage: Storage;
      flows: FlowStore;
      methods: MethodRegistry;
      verifier: SecondFactorVerifier;
      messenger: CodeMessenger;
      successTokens: SuccessTokenService;
      authorizer: Authorizer;
    },
  ) {}

  /**
   * Whether a challenge by this method (e-mail when none is named) sends a code: SMS and e-mail do;
   * TOTP, backup codes and security keys wait for an answer and send nothing.
   */
  sendsCode(method: FactorKind | undefined): boolean {
    return this.deps.methods.get(method ?? DEFAULT_CHALLENGE_METHOD).channel !== null;
  }

  async start(actor: Actor, input: ChallengeStartInput): Promise<ChallengeView> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    const { storage, flows, methods, messenger } = this.deps;
    const kind = input.method ?? DEFAULT_CHALLENGE_METHOD;
    if (input.operation === 'reset_password') {
      throw new TesseraError('VALIDATION_FAILED', { message: 'Password recovery uses the unauthorized challenge.' });
    }
    const user = await storage.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    const factor = await storage.factors.findActive(userId, kind);
    const method = methods.get(kind);
    // A step-up proves the account's own second factor: a code to the account's address stands in
    // for one only where there is none to prove (a password change on an account without 2FA).
    // Otherwise whoever holds the session and the mailbox could disable the authenticator app.
    if (!factor && !(await this.emailStandsIn(userId, kind, input.operation))) {
      throw new TesseraError('METHOD_NOT_ACTIVE', {
        message: 'A challenge must use one of the active second factors of the account.',
      });
    }
    let delivery: SentCode | undefined;
    let webauthn: IssuedWebAuthnChallenge | undefined;
    const flowId = newId();
    if (factor && method.issueChallenge) {
      webauthn = await methods.of(factor).issueChallenge?.(factor, { purpose: CHALLENGE_PURPOSE, flowId });
    } else if (method.channel !== null) {
      const destination = factor && method.destination ? method.destination(factor, user) : accountAddress(user);
      delivery = await messenger.send(user, {
        channel: method.channel,
        destination,
        purpose: CHALLENGE_PURPOSE,
        action: `confirm: ${input.operation.replaceAll('_', ' ')}`,
        clientIp: clientIpOf(actor),
      });
    }
    const data: ChallengeData = {
      operation: input.operation,
      target: input.target ?? null,
      method: kind,
      ...(delivery ? { deliveredCodeId: delivery.id } : {}),
      ...(webauthn ? { challengeId: webauthn.challengeId } : {}),
    };
    const flow = await flows.createWithId(challengeMachine, flowId, userId, CHALLENGE_TTL_SECONDS, data);
    const codeDigits = factor ? methods.of(factor).codeDigits?.(factor) : undefined;
    return {
      ...challengeView(flow, data, delivery),
      ...(codeDigits !== undefined ? { codeDigits } : {}),
      ...(webauthn ? { webauthn } : {}),
    };
  }

  /** Confirms a challenge begun with a security key by the key's assertion. */
  async confirmAssertion(
    actor: Actor,
    challengeId: string,
    assertion: Readonly<Record<string, unknown>>,
  ): Promise<IssuedSuccessToken> {
    return this.confirmProof(actor, challengeId, assertionProof(assertion));
  }

  async confirm(actor: Actor, challengeId: string, code: string): Promise<IssuedSuccessToken> {
    return this.confirmProof(actor, challengeId, codeProof(code));
  }

  private async confirmProof(actor: Actor, challengeId: string, proof: Proof): Promise<IssuedSuccessToken> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    const { flows, verifier } = this.deps;
    const flow = await flows.load(challengeMachine, challengeId, userId);
    await flows.assertOpen(challengeMachine, flow, 'EXPIRE');
    const data = flowData<ChallengeData>(flow);
    const context = {
      purposes: [CHALLENGE_PURPOSE],
      ...(data.challengeId ? { challengeId: data.challengeId, flowId: flow.id } : {}),
    };
    const code = proof.type === 'code' ? proof.code : '';
    await flows.countedCheck(
      challengeMachine,
      flow,
      () =>
        data.deliveredCodeId
          ? verifier.verifySentCode(userId, code, { ...context, deliveredCodeId: data.deliveredCodeId })
          : verifier.verify(userId, data.method, proof, context),
      { failEvent: 'VERIFY_FAIL', exhaustedEvent: 'ATTEMPTS_EXHAUSTED', maxAttempts: CHALLENGE_MAX_ATTEMPTS },
    );
    await flows.advance(challengeMachine, flow, 'VERIFY_OK');
    return this.deps.successTokens.issue(userId, data.operation, data.target);
  }

  private async emailStandsIn(userId: string, kind: FactorKind, operation: SuccessTokenOperation): Promise<boolean> {
    return kind === 'email' && operation === 'change_password' && !(await this.deps.storage.factors.hasActive(userId));
  }

  async status(actor: Actor, challengeId: string): Promise<ChallengeView> {
    const userId = await this.deps.authorizer.own(actor, 'own.read');
    const flow = await this.deps.flows.load(challengeMachine, challengeId, userId);
    return challengeView(flow, flowData<ChallengeData>(flow));
  }
}

function challengeView(flow: FlowRecord, data: ChallengeData, delivery?: SentCode): ChallengeView {
  return {
    challengeId: flow.id,
    operation: data.operation,
    method: data.method,
    state: flow.state as ChallengeState,
    attempts: flow.attempts,
    expiresAt: flow.expiresAt.toISOString(),
    ...(delivery ? { delivery } : {}),
  };
}
