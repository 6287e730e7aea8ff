import type { Role } from '../storage/records.js';

/** What an API token may do: everything its owner may, or only read. */
export type ApiTokenScope = 'write' | 'read';
export const API_TOKEN_SCOPES: readonly ApiTokenScope[] = ['write', 'read'];

/**
 * How a user proved who they are on this request. A person signs in (`session`, a JWT access
 * token; `password`, HTTP Basic as cPanel clients send it); a machine presents an API token.
 */
export type Authentication =
  | { method: 'session'; sessionId: string }
  | {
      method: 'api_token';
      tokenId: string;
      scope: ApiTokenScope;
      /** Made by a session that passed no second factor: held to the 2FA policy like it. */
      passwordOnly?: boolean;
    }
  | { method: 'password' };

/** A signed-in user, whichever API shape and scheme they came through. */
export interface UserActor {
  kind: 'user';
  userId: string;
  role: Role;
  authentication: Authentication;
  clientIp: string | null;
}

/** Someone not signed in: sign-in, sign-up, password recovery. */
export interface AnonymousActor {
  kind: 'anonymous';
  clientIp: string | null;
  /** The client's User-Agent, kept with a session it signs in to (shown in the user's session list). */
  userAgent?: string | undefined;
}

/** The operator at the server's command line: trusted like an admin, recorded as the system. */
export interface SystemActor {
  kind: 'system';
}

/**
 * Who is calling. Every service call takes one: what it may do, whose data it reaches, and what
 * the change history records all follow from it, so every API shape gets the same answer.
 */
export type Actor = UserActor | AnonymousActor | SystemActor;

export const SYSTEM_ACTOR: SystemActor = { kind: 'system' };

export function anonymousActor(clientIp: string | null, userAgent?: string): AnonymousActor {
  return userAgent === undefined ? { kind: 'anonymous', clientIp } : { kind: 'anonymous', clientIp, userAgent };
}

export function clientIpOf(actor: Actor): string | null {
  return actor.kind === 'system' ? null : actor.clientIp;
}

/** A person signed in, as opposed to a machine credential. */
export function isPersonSignedIn(actor: UserActor): boolean {
  return actor.authentication.method !== 'api_token';
}

/**
 * Who the "2FA required" policy binds: people signed in, and the API tokens a password alone
 * made (a session that passed no second factor, or a password sent with the request), so that
 * such a token does not outlive the policy that refuses its session. Tokens the operator or an
 * admin made, and those made by a session that passed a second factor, are server-to-server
 * credentials and keep working.
 */
export function isHeldToTwoFactorPolicy(actor: UserActor): boolean {
  const auth = actor.authentication;
  return auth.method !== 'api_token' || auth.passwordOnly === true;
}
