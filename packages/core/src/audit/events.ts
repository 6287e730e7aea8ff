import { AUDIT_ACTIONS } from '@tessera/contract';
import type { DeliveryChannel, DestinationVerificationStatus, HistoryAction } from '../storage/records.js';

/** What a destination verification's audit entries name it by: never its code nor the whole destination. */
export interface DestinationVerificationAuditDetails {
  verification: string;
  service: string;
  channel: DeliveryChannel;
  /** The phone number or address masked as in every answer (`+447******123`, `a***@example.com`). */
  to: string;
}

/**
 * The security events the audit trail records, each with the small details it carries. No
 * detail is ever a secret, a code, a password or a token: ids, methods, counts and names only.
 *
 * This is the one list of what is audited: `AuditTrail.record` takes a `SecurityEvent`, and
 * anything else that must follow the same events (an outbox of outgoing notifications) hooks in
 * at that one call.
 */
export interface SecurityEventDetails {
  /** The password of a sign-in was right (a second factor may still be asked for). */
  'sign_in.password_ok': Record<string, never>;
  /** A sign-in's password was wrong (the account is known; unknown names are not recorded). */
  'sign_in.password_failed': Record<string, never>;
  /** The second factor of a sign-in (or a passkey sign-in) was accepted. */
  'sign_in.second_factor_ok': { method: string };
  /** The second factor of a sign-in was refused (wrong, replayed or locked). */
  'sign_in.second_factor_failed': { method: string; reason: string };
  /** Too many wrong second factors: the account's second factor is locked until `until`. */
  'lockout.started': { kind: 'locked' | 'suspended'; failures: number };
  /** An admin or the operator lifted the account's second-factor lockout. */
  'lockout.cleared': Record<string, never>;
  /** The account's own password was changed (by its owner). */
  'password.changed': Record<string, never>;
  /** The password was set through recovery or by an admin. */
  'password.reset': { by: 'recovery' | 'admin' };
  'api_token.created': { tokenId: string; scope: string };
  /** The first request ever made with the token. */
  'api_token.first_used': { tokenId: string };
  'api_token.revoked': { tokenId: string };
  /** One session ended by its owner or an admin, or all of an account's (`count`). */
  'sessions.revoked': { count: number; sessionId?: string; reason?: 'refresh_token_reused' };
  /** An admin acted on an account (created, disabled, enabled, deleted, contact details set). */
  'admin.account': { change: string };
  /** A system-wide setting changed (the issuer, the 2FA policy). */
  'settings.changed': { setting: string };
  /** A key was rotated: the access-token signing key or the secret key. */
  'key.rotated': { key: 'signing_key' | 'secret_key' | 'audit_key'; kid?: string };
  /** A security key's signature counter went back: it may have been cloned. */
  'webauthn.clone_warning': { credentialId: string; name: string };
  /** A 2FA change the history records (enable, disable, reset, regenerate, export, …). */
  'factor.changed': { method: string; change: HistoryAction; enabled: boolean };
  /** A code was sent to verify a phone number or address (Twilio Verify); `resent` when to one already pending. */
  'destination_verification.started': DestinationVerificationAuditDetails & { resent: boolean };
  /** A destination verification ended: approved, its attempts used up, canceled or expired. */
  'destination_verification.finished': DestinationVerificationAuditDetails & {
    status: Exclude<DestinationVerificationStatus, 'pending'>;
  };
  /** Entries older than the retention were pruned through `throughSeq` (the new anchor). */
  'audit.pruned': { throughSeq: number; removed: number };
}

export type SecurityEventAction = keyof SecurityEventDetails;

/** One event: what happened (`action`), to which account (`userId`, null for system-wide), and its details. */
export type SecurityEvent = {
  [A in SecurityEventAction]: { action: A; userId: string | null; details: SecurityEventDetails[A] };
}[SecurityEventAction];

/** Both ways: every event detailed above is in the API's list of actions, and it lists no other. */
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const listsAgree: SameSet<(typeof AUDIT_ACTIONS)[number], SecurityEventAction> = true;

/** Every action, in the API's order: the contract's list (what the audit API filters by), checked above. */
export const SECURITY_EVENT_ACTIONS: readonly SecurityEventAction[] = listsAgree && AUDIT_ACTIONS;

/** Who did it: a signed-in user (`actorId`), someone not signed in, or the operator/system. */
export type AuditActorKind = 'user' | 'anonymous' | 'system';
