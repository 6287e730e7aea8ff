import { defineMachine } from '../machine.js';

/** See challenge.mermaid beside this file. Authorized and unauthorized challenges share it. */
export type ChallengeState = 'awaiting_code' | 'passed' | 'failed' | 'expired';
export type ChallengeEvent = 'VERIFY_OK' | 'VERIFY_FAIL' | 'ATTEMPTS_EXHAUSTED' | 'RESEND' | 'EXPIRE';

const transitions = {
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
  transitions,
});

/** The unauthorized variant (password recovery) is a separate kind so ids never cross over. */
export const recoveryMachine = defineMachine<ChallengeState, ChallengeEvent>({
  name: 'recovery',
  initial: 'awaiting_code',
  terminal: ['passed', 'failed', 'expired'],
  transitions,
});

export const CHALLENGE_TTL_SECONDS = 10 * 60;
export const CHALLENGE_MAX_ATTEMPTS = 5;
