import { TesseraError } from '../errors/tessera-error.js';

/**
 * A flow's transition table as plain data: `transitions[state][event]` is the next state.
 * Anything not in the table is refused, and terminal states accept nothing, so a finished or
 * expired flow can never be advanced again.
 */
export interface MachineDefinition<S extends string, E extends string> {
  name: string;
  initial: S;
  terminal: readonly S[];
  transitions: Partial<Record<S, Partial<Record<E, S>>>>;
  /**
   * States renamed since a release, old name → new. Flows are short-lived but persisted, so one
   * started before an upgrade may still carry the old name when it is loaded.
   */
  formerStates?: Readonly<Record<string, S>>;
}

export function defineMachine<S extends string, E extends string>(
  definition: MachineDefinition<S, E>,
): MachineDefinition<S, E> {
  return definition;
}

/** The state as this machine names it now, for a state read back from storage. */
export function currentState<S extends string, E extends string>(
  machine: MachineDefinition<S, E>,
  stored: string,
): string {
  return machine.formerStates?.[stored] ?? stored;
}

export function isTerminal<S extends string, E extends string>(machine: MachineDefinition<S, E>, state: S): boolean {
  return machine.terminal.includes(state);
}

export function transition<S extends string, E extends string>(
  machine: MachineDefinition<S, E>,
  state: S,
  event: E,
): S {
  if (isTerminal(machine, state)) {
    throw new TesseraError('FLOW_FINISHED', { detail: `${machine.name}: ${event} in terminal ${state}` });
  }
  const next = machine.transitions[state]?.[event];
  if (next === undefined) {
    throw new TesseraError('FLOW_TRANSITION_INVALID', { detail: `${machine.name}: ${event} in ${state}` });
  }
  return next;
}
