/**
 * Everything an actor can ask of the core, grouped by what authorization needs to know: whose
 * data it touches, whether it writes, and whether it is part of enrolling a second factor (the
 * one thing a user held by the "2FA required" policy may still do).
 */
export interface OperationRule {
  /** `own`: the caller's own account; `admin`: any account or system settings. */
  audience: 'own' | 'admin';
  writes: boolean;
  /** Reachable by a signed-in person who must still enroll a second factor. */
  enrollment: boolean;
  /** Only a person signed in, never an API token (a token must not mint credentials). */
  personOnly?: boolean;
}

export const OPERATIONS = {
  /** Your account, factors and 2FA status: needed to enroll, so open under the policy. */
  'own.read_status': { audience: 'own', writes: false, enrollment: true },
  /** Begin, confirm, resend or look at an enrollment. */
  'own.enroll': { audience: 'own', writes: true, enrollment: true },
  /**
   * Begin an enrollment that sends nothing and changes nothing the account relies on (a new
   * authenticator key, pending until confirmed): as VPSBG documents, a read key may ask for one.
   */
  'own.enroll_quietly': { audience: 'own', writes: false, enrollment: true },
  /** Your history, trusted devices, API tokens, challenges. */
  'own.read': { audience: 'own', writes: false, enrollment: false },
  /** Check one of your own codes (a step-up in the calling application). */
  'own.verify': { audience: 'own', writes: true, enrollment: false },
  /** Disable a method, regenerate backup codes, challenges, password, issuer, devices, API tokens. */
  'own.manage': { audience: 'own', writes: true, enrollment: false },
  /** Create an API token: a person only, so a token (which the policy does not hold) cannot mint more. */
  'own.create_api_token': { audience: 'own', writes: true, enrollment: false, personOnly: true },
  /** Other users, their factors, the admin history, the policy and the system issuer. */
  'admin.read': { audience: 'admin', writes: false, enrollment: false },
  /** Reset, import, export, policy and issuer changes on behalf of others. */
  'admin.manage': { audience: 'admin', writes: true, enrollment: false },
  /** Check any user's code (the server-to-server verify). */
  'admin.verify': { audience: 'admin', writes: true, enrollment: false },
} as const satisfies Record<string, OperationRule>;

export type Operation = keyof typeof OPERATIONS;
