/**
 * The events Tessera sends to webhook endpoints. Each names what happened to an account's
 * second factors or lockout; the payload's `data` says to whom and, where it applies, which
 * method. No event ever carries a secret, a code or a client's token.
 */
export const WEBHOOK_EVENT_TYPES = [
  'factor.added',
  'factor.removed',
  'admin.reset',
  'backup_codes.regenerated',
  'backup_codes.low',
  'lockout.started',
  'user.unlocked',
  'signin.new_device',
  'webauthn.clone_warning',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/** Who caused the event, as the history records it. */
export type WebhookEventActor = 'self' | 'admin' | 'system';

/** What an event says, before it is given an id and a time. */
export interface WebhookEventInput {
  type: WebhookEventType;
  /**
   * The account the event is about; events of one account reach each endpoint in the order
   * they were written. Null for an event about no account.
   */
  userId: string | null;
  /** The event's own fields (method, counts…): plain JSON, never a secret. */
  data: Record<string, unknown>;
}

/** The body of a delivery, as Standard Webhooks recommends: `type`, `timestamp`, `data`. */
export interface WebhookPayload {
  type: WebhookEventType;
  timestamp: string;
  data: Record<string, unknown> & { userId: string | null };
}

/** What every event type holds beside `userId`, for the catalogue in docs/operations.md. */
export const WEBHOOK_EVENT_DESCRIPTIONS: Record<WebhookEventType, string> = {
  'factor.added': 'a second factor was enabled (or imported): `method`, `actor`',
  'factor.removed': 'a second factor (or one security key of several) was removed: `method`, `actor`',
  'admin.reset': "an admin (or the command line) removed all of an account's second factors: `methods`, `actor`",
  'backup_codes.regenerated': 'a new set of backup codes replaced the old one: `actor`',
  'backup_codes.low': 'a backup code was used and few are left: `remaining`',
  'lockout.started':
    'failed second-factor attempts locked the account until `lockedUntil` (null with `suspended`: until an admin unlocks it): `failures`, `suspended`, `lockedUntil`',
  'user.unlocked': "an admin cleared the account's second-factor lockout: `actor`",
  'signin.new_device': 'a sign-in remembered a new device ("remember this device"): `deviceId`, `label`',
  'webauthn.clone_warning':
    "a security key's signature counter went backwards (a possible clone): `credentialId`, `name`",
};
