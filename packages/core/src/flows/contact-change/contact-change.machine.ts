import { defineMachine } from '../machine.js';

/** See contact-change.mermaid beside this file. */
export type ContactChangeState = 'awaiting_code' | 'confirmed' | 'failed' | 'expired';
export type ContactChangeEvent = 'VERIFY_OK' | 'VERIFY_FAIL' | 'ATTEMPTS_EXHAUSTED' | 'EXPIRE';

export const contactChangeMachine = defineMachine<ContactChangeState, ContactChangeEvent>({
  name: 'contact_change',
  initial: 'awaiting_code',
  terminal: ['confirmed', 'failed', 'expired'],
  transitions: {
    awaiting_code: {
      VERIFY_OK: 'confirmed',
      VERIFY_FAIL: 'awaiting_code',
      ATTEMPTS_EXHAUSTED: 'failed',
      EXPIRE: 'expired',
    },
  },
});

export const CONTACT_CHANGE_TTL_SECONDS = 10 * 60;
export const CONTACT_CHANGE_MAX_ATTEMPTS = 5;
