import { CHALLENGE_TRANSITIONS, type ChallengeEvent, type ChallengeState } from '../challenge/challenge.machine.js';
import { defineMachine } from '../machine.js';

/**
 * Password recovery: the unauthorized challenge. Same states as a step-up challenge
 * (challenge.mermaid), a kind of its own so that ids never cross over.
 */
export const recoveryMachine = defineMachine<ChallengeState, ChallengeEvent>({
  name: 'recovery',
  initial: 'awaiting_code',
  terminal: ['passed', 'failed', 'expired'],
  transitions: CHALLENGE_TRANSITIONS,
});

export const RECOVERY_TTL_SECONDS = 10 * 60;
export const RECOVERY_MAX_ATTEMPTS = 5;
