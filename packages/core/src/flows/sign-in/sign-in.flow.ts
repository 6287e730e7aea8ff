import type { AccountService } from '../../accounts/account-service.js';
import type { Clock } from '../../clock.js';
import { newId } from '../../crypto/random.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { FactorService } from '../../factors/factor-service.js';
import type { SessionService, TokenPair } from '../../sessions/session-service.js';
import type { FlowRecord } from '../../storage/records.js';
import type { FlowRepository } from '../../storage/repositories.js';
import { isTerminal, transition } from '../machine.js';
import {
  SIGN_IN_MAX_ATTEMPTS,
  SIGN_IN_TTL_SECONDS,
  type SignInEvent,
  type SignInState,
  signInMachine,
} from './sign-in.machine.js';

export type SignInResult =
  | { status: 'signed_in'; tokens: TokenPair }
  | { status: 'second_factor_required'; flowId: string; state: SignInState; expiresAt: string; methods: string[] };

/**
 * Password first; an account with an active factor then waits in a persisted sign-in flow
 * for a code. Tokens are issued only by the transition to `succeeded`.
 */
export class SignInFlow {
  constructor(
    private readonly deps: {
      accounts: AccountService;
      factors: FactorService;
      sessions: SessionService;
      flows: FlowRepository;
      clock: Clock;
    },
  ) {}

  async start(username: string, password: string): Promise<SignInResult> {
    const { accounts, factors, sessions, flows, clock } = this.deps;
    const user = await accounts.checkPassword(username, password);
    if (!(await factors.hasActiveFactor(user.id))) {
      return { status: 'signed_in', tokens: await sessions.start(user) };
    }
    const now = clock.now();
    const flow: FlowRecord = {
      id: newId(),
      kind: signInMachine.name,
      userId: user.id,
      state: signInMachine.initial,
      data: '{}',
      attempts: 0,
      version: 1,
      createdAt: now,
      expiresAt: new Date(now.getTime() + SIGN_IN_TTL_SECONDS * 1000),
    };
    await flows.insert(flow);
    return {
      status: 'second_factor_required',
      flowId: flow.id,
      state: signInMachine.initial,
      expiresAt: flow.expiresAt.toISOString(),
      methods: ['totp'],
    };
  }

  async submitCode(flowId: string, code: string): Promise<TokenPair> {
    const { accounts, factors, sessions, clock } = this.deps;
    const flow = await this.load(flowId);
    const state = flow.state as SignInState;
    if (isTerminal(signInMachine, state)) throw new TesseraError('FLOW_FINISHED');
    if (flow.expiresAt <= clock.now()) {
      await this.advance(flow, 'EXPIRE', flow.attempts);
      throw new TesseraError('FLOW_EXPIRED');
    }

    const check = await factors.verify(flow.userId, code);
    if (!check.ok) {
      const attempts = flow.attempts + 1;
      const exhausted = attempts >= SIGN_IN_MAX_ATTEMPTS;
      await this.advance(flow, exhausted ? 'ATTEMPTS_EXHAUSTED' : 'VERIFY_FAIL', attempts);
      throw new TesseraError('CODE_INVALID', {
        message: exhausted ? 'The code is wrong; this sign-in has failed, start again.' : undefined,
      });
    }
    await this.advance(flow, 'VERIFY_OK', flow.attempts);
    return sessions.start(await accounts.get(flow.userId));
  }

  private async load(flowId: string): Promise<FlowRecord> {
    const flow = await this.deps.flows.findById(flowId);
    if (!flow || flow.kind !== signInMachine.name) throw new TesseraError('FLOW_NOT_FOUND');
    return flow;
  }

  /** Only one request can move a flow from a given version: the loser sees FLOW_FINISHED. */
  private async advance(flow: FlowRecord, event: SignInEvent, attempts: number): Promise<void> {
    const next = transition(signInMachine, flow.state as SignInState, event);
    const won = await this.deps.flows.updateIfVersion(flow.id, flow.version, {
      state: next,
      data: flow.data,
      attempts,
    });
    if (!won) throw new TesseraError('FLOW_FINISHED', { detail: 'flow changed concurrently' });
  }
}
