import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import { isTesseraError, TesseraError } from '../errors/tessera-error.js';
import { refusal } from '../factors/second-factor-verifier.js';
import type { RefusalReason } from '../methods/second-factor-method.js';
import type { FlowRecord } from '../storage/records.js';
import type { FlowRepository } from '../storage/repositories.js';
import { currentState, isTerminal, type MachineDefinition, transition } from './machine.js';

/**
 * Persistence for every flow: create, load (only the owner's, only of the expected kind), and
 * advance by one transition under optimistic concurrency, so two requests can never both move a
 * flow out of the same state.
 */
export class FlowStore {
  constructor(
    private readonly flows: FlowRepository,
    private readonly clock: Clock,
  ) {}

  async create<S extends string, E extends string>(
    machine: MachineDefinition<S, E>,
    userId: string,
    ttlSeconds: number,
    data: object,
  ): Promise<FlowRecord> {
    return this.createWithId(machine, newId(), userId, ttlSeconds, data);
  }

  /** As create, with an id chosen beforehand (one already handed to the caller). */
  async createWithId<S extends string, E extends string>(
    machine: MachineDefinition<S, E>,
    id: string,
    userId: string,
    ttlSeconds: number,
    data: object,
  ): Promise<FlowRecord> {
    const now = this.clock.now();
    const flow: FlowRecord = {
      id,
      kind: machine.name,
      userId,
      state: machine.initial,
      data: JSON.stringify(data),
      attempts: 0,
      version: 1,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
    };
    await this.flows.insert(flow);
    return flow;
  }

  /** Removes a flow that should never have been (its code could not be sent). */
  async discard(flowId: string): Promise<void> {
    await this.flows.delete(flowId);
  }

  /**
   * The flow, if it is of this machine and (when `userId` is given) this user's; anything else
   * is FLOW_NOT_FOUND, so another account's flow id reveals nothing.
   */
  async load<S extends string, E extends string>(
    machine: MachineDefinition<S, E>,
    flowId: string,
    userId?: string,
  ): Promise<FlowRecord> {
    const flow = await this.flows.findById(flowId);
    if (!flow || flow.kind !== machine.name || (userId !== undefined && flow.userId !== userId)) {
      throw new TesseraError('FLOW_NOT_FOUND');
    }
    return { ...flow, state: currentState(machine, flow.state) };
  }

  /** Throws FLOW_FINISHED for a finished flow and FLOW_EXPIRED (recording it) for an expired one. */
  async assertOpen<S extends string, E extends string>(
    machine: MachineDefinition<S, E>,
    flow: FlowRecord,
    expireEvent: E,
  ): Promise<void> {
    if (isTerminal(machine, flow.state as S)) throw new TesseraError('FLOW_FINISHED');
    if (flow.expiresAt <= this.clock.now()) {
      await this.advance(machine, flow, expireEvent).catch(() => undefined);
      throw new TesseraError('FLOW_EXPIRED');
    }
  }

  /** Moves the flow by one event; the loser of a concurrent move sees FLOW_FINISHED. */
  async advance<S extends string, E extends string>(
    machine: MachineDefinition<S, E>,
    flow: FlowRecord,
    event: E,
    patch: { data?: object; attempts?: number } = {},
    /** The flows repository of a unit of work, when the move belongs with other writes. */
    flows: FlowRepository = this.flows,
  ): Promise<FlowRecord> {
    const state = transition(machine, flow.state as S, event);
    const data = patch.data === undefined ? flow.data : JSON.stringify(patch.data);
    const attempts = patch.attempts ?? flow.attempts;
    const won = await flows.updateIfVersion(flow.id, flow.version, { state, data, attempts });
    if (!won) throw new TesseraError('FLOW_FINISHED', { detail: 'flow changed concurrently' });
    return { ...flow, state, data, attempts, version: flow.version + 1 };
  }

  /**
   * Runs the check of a flow's code. A refusal counts as one of the flow's tries, and so does
   * the account lock the check ran into (the fifth wrong code both locks the account and must
   * fail the flow, or a later try would get a sixth chance); the last try fails the flow.
   * Throws the refusal; returns the accepted check.
   */
  async countedCheck<S extends string, E extends string, R extends { ok: true }>(
    machine: MachineDefinition<S, E>,
    flow: FlowRecord,
    check: () => Promise<R | { ok: false; reason: RefusalReason }>,
    rule: { failEvent: E; exhaustedEvent: E; maxAttempts: number; exhaustedMessage?: string },
  ): Promise<R> {
    const countFailure = async (): Promise<boolean> => {
      const attempts = flow.attempts + 1;
      const exhausted = attempts >= rule.maxAttempts;
      await this.advance(machine, flow, exhausted ? rule.exhaustedEvent : rule.failEvent, { attempts });
      return exhausted;
    };
    let result: R | { ok: false; reason: RefusalReason };
    try {
      result = await check();
    } catch (error) {
      if (isTesseraError(error) && error.code === 'SECOND_FACTOR_LOCKED') await countFailure();
      throw error;
    }
    if (result.ok) return result;
    const exhausted = await countFailure();
    const error = refusal(result);
    if (exhausted && rule.exhaustedMessage && error.code === 'CODE_INVALID') {
      throw new TesseraError('CODE_INVALID', { message: rule.exhaustedMessage });
    }
    throw error;
  }

  isTerminal<S extends string, E extends string>(machine: MachineDefinition<S, E>, flow: FlowRecord): boolean {
    return isTerminal(machine, flow.state as S);
  }
}

export function flowData<T>(flow: FlowRecord): T {
  return JSON.parse(flow.data) as T;
}
