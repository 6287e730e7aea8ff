import { defineMachine } from '../machine.js';

/** See disable.mermaid beside this file. */
export type DisableState = 'awaiting_confirmation' | 'disabled' | 'failed' | 'expired';
export type DisableEvent = 'CONFIRM_OK' | 'CONFIRM_FAIL' | 'ATTEMPTS_EXHAUSTED' | 'RESEND' | 'EXPIRE';

export const disableMachine = defineMachine<DisableState, DisableEvent>({
  name: 'disable',
  initial: 'awaiting_confirmation',
  terminal: ['disabled', 'failed', 'expired'],
  transitions: {
    awaiting_confirmation: {
      CONFIRM_OK: 'disabled',
      CONFIRM_FAIL: 'awaiting_confirmation',
      RESEND: 'awaiting_confirmation',
      ATTEMPTS_EXHAUSTED: 'failed',
      EXPIRE: 'expired',
    },
  },
});

export const DISABLE_TTL_SECONDS = 10 * 60;
export const DISABLE_MAX_ATTEMPTS = 5;
