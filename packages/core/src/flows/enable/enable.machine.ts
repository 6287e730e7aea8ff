import { defineMachine } from '../machine.js';

/** See enable.mermaid beside this file. */
export type EnableState = 'awaiting_code' | 'enabled' | 'failed' | 'expired';
export type EnableEvent = 'CONFIRM_OK' | 'CONFIRM_FAIL' | 'ATTEMPTS_EXHAUSTED' | 'RESEND' | 'EXPIRE';

export const enableMachine = defineMachine<EnableState, EnableEvent>({
  name: 'enable',
  initial: 'awaiting_code',
  terminal: ['enabled', 'failed', 'expired'],
  transitions: {
    awaiting_code: {
      CONFIRM_OK: 'enabled',
      CONFIRM_FAIL: 'awaiting_code',
      RESEND: 'awaiting_code',
      ATTEMPTS_EXHAUSTED: 'failed',
      EXPIRE: 'expired',
    },
  },
});

export const ENABLE_TTL_SECONDS = 10 * 60;
export const ENABLE_MAX_ATTEMPTS = 5;
