import { defineMachine } from '../machine.js';

/** See sign-in.mermaid beside this file. State names are persisted and shown in API responses. */
export type SignInState = 'awaiting_second_factor' | 'succeeded' | 'failed' | 'expired';
export type SignInEvent = 'SELECT_METHOD' | 'VERIFY_OK' | 'VERIFY_FAIL' | 'ATTEMPTS_EXHAUSTED' | 'EXPIRE';

export const signInMachine = defineMachine<SignInState, SignInEvent>({
  name: 'sign_in',
  initial: 'awaiting_second_factor',
  terminal: ['succeeded', 'failed', 'expired'],
  transitions: {
    awaiting_second_factor: {
      SELECT_METHOD: 'awaiting_second_factor',
      VERIFY_OK: 'succeeded',
      VERIFY_FAIL: 'awaiting_second_factor',
      ATTEMPTS_EXHAUSTED: 'failed',
      EXPIRE: 'expired',
    },
  },
});

/** Wrong codes one sign-in flow accepts before it fails (the account lockout counts too). */
export const SIGN_IN_MAX_ATTEMPTS = 5;
/** How long the password step stays good for the second-factor step. */
export const SIGN_IN_TTL_SECONDS = 300;
