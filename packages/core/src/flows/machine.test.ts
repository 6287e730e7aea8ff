import { describe, expect, it } from 'vitest';
import type { TesseraError } from '../errors/tessera-error.js';
import { transition } from './machine.js';
import { signInMachine } from './sign-in/sign-in.machine.js';

describe('flow machines', () => {
  it('follows the sign-in table', () => {
    expect(transition(signInMachine, 'awaiting_second_factor', 'VERIFY_OK')).toBe('succeeded');
    expect(transition(signInMachine, 'awaiting_second_factor', 'VERIFY_FAIL')).toBe('awaiting_second_factor');
    expect(transition(signInMachine, 'awaiting_second_factor', 'ATTEMPTS_EXHAUSTED')).toBe('failed');
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
});
