import { defineMachine } from '../machine.js';

/** See challenge.mermaid beside this file. Step-up challenges and password recovery share it. */
export type ChallengeState = 'awaiting_code' | 'passed' | 'failed' | 'expired';
export type ChallengeEvent = 'VERIFY_OK' | 'VERIFY_FAIL' | 'ATTEMPTS_EXHAUSTED' | 'RESEND' | 'EXPIRE';

export const CHALLENGE_TRANSITIONS = {
  awaiting_code: {
    VERIFY_OK: 'passed',
    VERIFY_FAIL: 'awaiting_code',
    RESEND: 'awaiting_code',
    ATTEMPTS_EXHAUSTED: 'failed',
    EXPIRE: 'expired',
  },
} as const;

export const challengeMachine = defineMachine<ChallengeState, ChallengeEvent>({
  name: 'challenge',
  initial: 'awaiting_code',
  terminal: ['passed', 'failed', 'expired'],
  transitions: CHALLENGE_TRANSITIONS,
});

export const CHALLENGE_TTL_SECONDS = 10 * 60;
export const CHALLENGE_MAX_ATTEMPTS = 5;
