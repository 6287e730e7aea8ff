import { describe, expect, it } from 'vitest';
import type { TesseraError } from '../errors/tessera-error.js';
import { challengeMachine } from './challenge/challenge.machine.js';
import { disableMachine } from './disable/disable.machine.js';
import { enableMachine } from './enable/enable.machine.js';
import { currentState, transition } from './machine.js';
import { recoveryMachine } from './recovery/recovery.machine.js';
import { signInMachine } from './sign-in/sign-in.machine.js';

describe('flow machines', () => {
  it('follows the sign-in table', () => {
    expect(transition(signInMachine, 'awaiting_code', 'VERIFY_OK')).toBe('succeeded');
    expect(transition(signInMachine, 'awaiting_code', 'VERIFY_FAIL')).toBe('awaiting_code');
    expect(transition(signInMachine, 'awaiting_code', 'ATTEMPTS_EXHAUSTED')).toBe('failed');
  });

  it.each(['succeeded', 'failed', 'expired'] as const)('a %s flow accepts no event at all', (state) => {
    for (const event of ['VERIFY_OK', 'VERIFY_FAIL', 'ATTEMPTS_EXHAUSTED', 'EXPIRE'] as const) {
      expect(() => transition(signInMachine, state, event)).toThrowError(
        expect.objectContaining({ code: 'FLOW_FINISHED' }) as unknown as TesseraError,
      );
    }
  });

  it('the mermaid diagram names every state of the table', async () => {
    const { readFile } = await import('node:fs/promises');
    const diagram = await readFile(new URL('./sign-in/sign-in.mermaid', import.meta.url), 'utf8');
    for (const state of [signInMachine.initial, ...signInMachine.terminal]) expect(diagram).toContain(state);
  });

  it('names the "waiting for a code" state of every flow awaiting_code', () => {
    const machines = [signInMachine, enableMachine, disableMachine, challengeMachine, recoveryMachine];
    expect(machines.map((machine) => machine.initial)).toEqual(machines.map(() => 'awaiting_code'));
  });

  it('reads a state stored under its former name as the current one, and leaves others alone', () => {
    expect(currentState(signInMachine, 'awaiting_second_factor')).toBe('awaiting_code');
    expect(currentState(disableMachine, 'awaiting_confirmation')).toBe('awaiting_code');
    expect(currentState(disableMachine, 'disabled')).toBe('disabled');
    expect(currentState(enableMachine, 'awaiting_code')).toBe('awaiting_code');
  });
});
