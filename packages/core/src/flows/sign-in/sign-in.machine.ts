import { defineMachine } from '../machine.js';

/** See sign-in.mermaid beside this file. State names are persisted and shown in API responses. */
export type SignInState = 'awaiting_code' | 'succeeded' | 'failed' | 'expired';
export type SignInEvent = 'SELECT_METHOD' | 'VERIFY_OK' | 'VERIFY_FAIL' | 'ATTEMPTS_EXHAUSTED' | 'EXPIRE';

export const signInMachine = defineMachine<SignInState, SignInEvent>({
  name: 'sign_in',
  initial: 'awaiting_code',
  formerStates: { awaiting_second_factor: 'awaiting_code' },
  terminal: ['succeeded', 'failed', 'expired'],
  transitions: {
    awaiting_code: {
      SELECT_METHOD: 'awaiting_code',
      VERIFY_OK: 'succeeded',
      VERIFY_FAIL: 'awaiting_code',
      ATTEMPTS_EXHAUSTED: 'failed',
      EXPIRE: 'expired',
    },
  },
});

/** Wrong codes one sign-in flow accepts before it fails (the account lockout counts too). */
export const SIGN_IN_MAX_ATTEMPTS = 5;
/** How long the password step stays good for the second-factor step. */
export const SIGN_IN_TTL_SECONDS = 300;
