import { defineMachine } from '../machine.js';

/** See disable.mermaid beside this file. */
export type DisableState = 'awaiting_code' | 'disabled' | 'failed' | 'expired';
export type DisableEvent = 'CONFIRM_OK' | 'CONFIRM_FAIL' | 'ATTEMPTS_EXHAUSTED' | 'RESEND' | 'EXPIRE';

export const disableMachine = defineMachine<DisableState, DisableEvent>({
  name: 'disable',
  initial: 'awaiting_code',
  formerStates: { awaiting_confirmation: 'awaiting_code' },
  terminal: ['disabled', 'failed', 'expired'],
  transitions: {
    awaiting_code: {
      CONFIRM_OK: 'disabled',
      CONFIRM_FAIL: 'awaiting_code',
      RESEND: 'awaiting_code',
      ATTEMPTS_EXHAUSTED: 'failed',
      EXPIRE: 'expired',
    },
  },
});

export const DISABLE_TTL_SECONDS = 10 * 60;
export const DISABLE_MAX_ATTEMPTS = 5;
