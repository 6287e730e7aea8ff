import { type AccountService, type AccountView, toAccountView } from '../../accounts/account-service.js';
import { type Actor, clientIpOf } from '../../auth/actor.js';
import type { SentCode } from '../../delivery/delivered-code-service.js';
import type { IssuedDeviceToken, TrustedDeviceService } from '../../devices/trusted-device-service.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { SecondFactorVerifier } from '../../factors/second-factor-verifier.js';
import type { MethodRegistry } from '../../methods/method-registry.js';
import { assertionProof, codeProof, type Proof } from '../../methods/second-factor-method.js';
import type { IssuedWebAuthnChallenge } from '../../methods/webauthn/webauthn-ceremonies.js';
import type { PolicyService } from '../../policy/policy-service.js';
import { type SessionService, sessionClientOf, type TokenPair } from '../../sessions/session-service.js';
import type { FactorKind, FlowRecord, UserRecord } from '../../storage/records.js';
import type { FactorRepository } from '../../storage/repositories.js';
import { type FlowStore, flowData } from '../flow-store.js';
import type { CodeMessenger } from '../shared/code-messenger.js';
import { SIGN_IN_MAX_ATTEMPTS, SIGN_IN_TTL_SECONDS, signInMachine } from './sign-in.machine.js';

export interface SignedIn {
  status: 'signed_in';
  tokens: TokenPair;
  /** Who signed in, and their active methods (what a vendor's login answer shows of the user). */
  account: AccountView;
  methods: FactorKind[];
  /** A rotated or new "remember this device" token, when one was used or asked for. */
  device?: IssuedDeviceToken;
}

export interface SecondFactorRequired {
  status: 'second_factor_required';
  flowId: string;
  /** A new sign-in flow always waits for the code. */
  state: 'awaiting_code';
  expiresAt: string;
  /** The account's active methods; `backup_codes` is always accepted when present. */
  methods: FactorKind[];
  /** How many digits a code of each method has, where every code has the same number. */
  codeDigits: Partial<Record<FactorKind, number>>;
}

export type SignInResult = SignedIn | SecondFactorRequired;

export interface SecondFactorAnswer {
  code: string;
  /** Which method the code is from; defaults to the chosen one, else the authenticator app. */
  method?: FactorKind;
  /** Remember this device for 30 days (if the policy allows it for this account). */
  rememberDevice?: boolean;
  deviceLabel?: string;
}

interface SignInData {
  methods: FactorKind[];
  chosen?: FactorKind;
  deliveredCodeId?: string;
  /** WebAuthn: the challenge issued when the method was chosen. */
  challengeId?: string;
}

/** A security key's answer in the second-factor step. */
export interface AssertionAnswer {
  assertion: Readonly<Record<string, unknown>>;
  rememberDevice?: boolean;
  deviceLabel?: string;
}

const SIGN_IN_PURPOSE = 'sign_in';

/**
 * Password first; an account with active factors then waits in a persisted sign-in flow for a
 * second factor. With several, the caller picks one (SMS and e-mail send their code when
 * picked); a backup code is always accepted. Tokens are issued only by the move to `succeeded`.
 */
export class SignInFlow {
  constructor(
    private readonly deps: {
      accounts: AccountService;
      factors: FactorRepository;
      verifier: SecondFactorVerifier;
      sessions: SessionService;
      flows: FlowStore;
      methods: MethodRegistry;
      messenger: CodeMessenger;
      devices: TrustedDeviceService;
      policy: PolicyService;
    },
  ) {}

  /** `actor` is whoever is signing in: not signed in yet, known by address only. */
  async start(actor: Actor, username: string, password: string, deviceToken?: string): Promise<SignInResult> {
    const { accounts, factors, sessions, flows } = this.deps;
    const user = await accounts.checkPassword(username, password, clientIpOf(actor));
    const policy = await this.deps.policy.get();
    // An admin held to phishing-resistant factors signs in with a security key alone.
    const methods = this.deps.policy.signInMethods(policy, user, await factors.activeKinds(user.id));
    if (methods.length === 0)
      return {
        status: 'signed_in',
        tokens: await sessions.start(user, sessionClientOf(actor)),
        ...whoFor(user, methods),
      };

    if (deviceToken && this.deps.policy.rememberDeviceAllowed(policy, user)) {
      const device = await this.deps.devices.redeem(user.id, deviceToken);
      if (device) {
        // The device was remembered after a second factor, and stands for one.
        const tokens = await sessions.start(user, sessionClientOf(actor), { secondFactor: true });
        return { status: 'signed_in', tokens, ...whoFor(user, methods), device };
      }
    }
    const data: SignInData = { methods };
    const flow = await flows.create(signInMachine, user.id, SIGN_IN_TTL_SECONDS, data);
    return {
      status: 'second_factor_required',
      flowId: flow.id,
      state: 'awaiting_code',
      expiresAt: flow.expiresAt.toISOString(),
      methods,
      codeDigits: await this.codeDigits(user.id, methods),
    };
  }

  private async codeDigits(userId: string, kinds: FactorKind[]): Promise<Partial<Record<FactorKind, number>>> {
    const digits: Partial<Record<FactorKind, number>> = {};
    for (const kind of kinds) {
      if (!this.deps.methods.get(kind).codeDigits) continue;
      const factor = await this.deps.factors.findActive(userId, kind);
      const count = factor ? this.deps.methods.of(factor).codeDigits?.(factor) : undefined;
      if (count !== undefined) digits[kind] = count;
    }
    return digits;
  }

  /** Picks the method to answer with; SMS and e-mail send their code now. */
  async selectMethod(
    actor: Actor,
    flowId: string,
    method: FactorKind,
  ): Promise<{ method: FactorKind; delivery?: SentCode; webauthn?: IssuedWebAuthnChallenge }> {
    const { flows, factors, accounts, methods, messenger } = this.deps;
    const flow = await flows.load(signInMachine, flowId);
    await flows.assertOpen(signInMachine, flow, 'EXPIRE');
    const data = flowData<SignInData>(flow);
    if (!data.methods.includes(method)) throw new TesseraError('METHOD_NOT_ACTIVE');
    let delivery: SentCode | undefined;
    let webauthn: IssuedWebAuthnChallenge | undefined;
    const chosen = methods.get(method);
    if (chosen.issueChallenge) {
      const factor = await factors.findActive(flow.userId, method);
      if (!factor) throw new TesseraError('METHOD_NOT_ACTIVE');
      webauthn = await methods.of(factor).issueChallenge?.(factor, { purpose: SIGN_IN_PURPOSE, flowId: flow.id });
    } else if (chosen.channel !== null && chosen.destination) {
      const factor = await factors.findActive(flow.userId, method);
      if (!factor) throw new TesseraError('METHOD_NOT_ACTIVE');
      const user = await accounts.get(flow.userId);
      delivery = await messenger.send(user, {
        channel: chosen.channel,
        destination: chosen.destination(factor, user),
        purpose: SIGN_IN_PURPOSE,
        action: 'sign in',
        clientIp: clientIpOf(actor),
      });
    }
    await flows.advance(signInMachine, flow, 'SELECT_METHOD', {
      data: { ...data, chosen: method, deliveredCodeId: delivery?.id, challengeId: webauthn?.challengeId },
    });
    return { method, ...(delivery ? { delivery } : {}), ...(webauthn ? { webauthn } : {}) };
  }

  /**
   * Password and code in one request (Mudbase's login): signed in at once without a second
   * factor; otherwise the code is checked as the authenticator's when it has the authenticator's
   * length, else as a backup code. Without a code: SECOND_FACTOR_REQUIRED, nothing issued.
   */
  async signInWithCode(actor: Actor, login: string, password: string, code: string | undefined): Promise<SignedIn> {
    const started = await this.start(actor, login, password);
    if (started.status === 'signed_in') return started;
    if (code === undefined || code === '') throw new TesseraError('SECOND_FACTOR_REQUIRED');
    return this.submitAppOrBackupCode(actor, started.flowId, code);
  }

  /**
   * A code for the authenticator app, or a backup code, in an open sign-in flow (vendor APIs whose
   * app step takes both): taken as a backup code when it cannot be the app's (see
   * `methodOfUnnamedCode`).
   */
  async submitAppOrBackupCode(actor: Actor, flowId: string, code: string): Promise<SignedIn> {
    const flow = await this.deps.flows.load(signInMachine, flowId);
    const { methods } = flowData<SignInData>(flow);
    const primary: FactorKind | undefined = methods.includes('totp') ? 'totp' : methods[0];
    const method = await this.methodOfUnnamedCode(flow.userId, methods, primary, code);
    return this.submitCode(actor, flowId, { code, method: method ?? 'totp' });
  }

  /**
   * The method of a code sent without naming one: the chosen method (else the authenticator app),
   * unless the code cannot be one of its codes and can be a backup code (`3985-7367`, `39857367`,
   * with spaces), when the account has backup codes. A backup code can thus always be given in the
   * second-factor step, as people expect, without the client asking which kind it is.
   */
  private async methodOfUnnamedCode(
    userId: string,
    methods: FactorKind[],
    primary: FactorKind | undefined,
    code: string,
  ): Promise<FactorKind | undefined> {
    if (!methods.includes('backup_codes') || primary === 'backup_codes') return primary;
    const proof = codeProof(code);
    const backup = await this.deps.factors.findActive(userId, 'backup_codes');
    if (!backup || !fits(() => this.deps.methods.get('backup_codes').assertWellFormed(backup, proof))) return primary;
    if (primary === undefined) return 'backup_codes';
    const factor = await this.deps.factors.findActive(userId, primary);
    if (factor && fits(() => this.deps.methods.get(primary).assertWellFormed(factor, proof))) return primary;
    return 'backup_codes';
  }

  async submitCode(actor: Actor, flowId: string, answer: SecondFactorAnswer): Promise<SignedIn> {
    const { flows } = this.deps;
    const flow = await flows.load(signInMachine, flowId);
    await flows.assertOpen(signInMachine, flow, 'EXPIRE');
    const data = flowData<SignInData>(flow);
    const method =
      answer.method ??
      (await this.methodOfUnnamedCode(
        flow.userId,
        data.methods,
        data.chosen ?? (data.methods.includes('totp') ? 'totp' : undefined),
        answer.code,
      ));
    if (!method) throw new TesseraError('METHOD_REQUIRED');
    if (!data.methods.includes(method)) throw new TesseraError('METHOD_NOT_ACTIVE');
    const deliveredCodeId = method === data.chosen ? data.deliveredCodeId : undefined;
    if (this.deps.methods.get(method).channel !== null && !deliveredCodeId) throw new TesseraError('METHOD_REQUIRED');
    return this.finish(actor, flow, data, method, codeProof(answer.code), { deliveredCodeId }, answer);
  }

  /** The second-factor step answered by a security key, to the challenge issued when it was chosen. */
  async submitAssertion(actor: Actor, flowId: string, answer: AssertionAnswer): Promise<SignedIn> {
    const flow = await this.deps.flows.load(signInMachine, flowId);
    await this.deps.flows.assertOpen(signInMachine, flow, 'EXPIRE');
    const data = flowData<SignInData>(flow);
    if (!data.methods.includes('webauthn')) throw new TesseraError('METHOD_NOT_ACTIVE');
    if (data.chosen !== 'webauthn' || !data.challengeId) throw new TesseraError('METHOD_REQUIRED');
    return this.finish(
      actor,
      flow,
      data,
      'webauthn',
      assertionProof(answer.assertion),
      { challengeId: data.challengeId },
      answer,
      ['pwd', 'hwk', 'mfa'],
    );
  }

  private async finish(
    actor: Actor,
    flow: FlowRecord,
    data: SignInData,
    method: FactorKind,
    proof: Proof,
    context: { deliveredCodeId?: string | undefined; challengeId?: string },
    answer: { rememberDevice?: boolean; deviceLabel?: string },
    amr?: string[],
  ): Promise<SignedIn> {
    const { accounts, sessions, flows, verifier } = this.deps;
    const { deliveredCodeId, challengeId } = context;
    await flows.countedCheck(
      signInMachine,
      flow,
      () =>
        verifier.verify(flow.userId, method, proof, {
          purposes: [SIGN_IN_PURPOSE],
          ...(deliveredCodeId ? { deliveredCodeId } : {}),
          ...(challengeId ? { challengeId, flowId: flow.id } : {}),
        }),
      {
        failEvent: 'VERIFY_FAIL',
        exhaustedEvent: 'ATTEMPTS_EXHAUSTED',
        maxAttempts: SIGN_IN_MAX_ATTEMPTS,
        exhaustedMessage: 'The code is wrong; this sign-in has failed, start again.',
      },
    );
    await flows.advance(signInMachine, flow, 'VERIFY_OK');
    const user = await accounts.get(flow.userId);
    const signedIn: SignedIn = {
      status: 'signed_in',
      tokens: await sessions.start(user, sessionClientOf(actor), { secondFactor: true, ...(amr ? { amr } : {}) }),
      ...whoFor(user, data.methods),
    };
    if (!answer.rememberDevice) return signedIn;
    if (!this.deps.policy.rememberDeviceAllowed(await this.deps.policy.get(), user)) return signedIn;
    return { ...signedIn, device: await this.deps.devices.remember(user.id, answer.deviceLabel ?? 'device') };
  }
}

/** Whether a well-formedness check passes (it throws CODE_MALFORMED when not). */
function fits(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

function whoFor(user: UserRecord, methods: FactorKind[]): Pick<SignedIn, 'account' | 'methods'> {
  return { account: toAccountView(user), methods };
}
