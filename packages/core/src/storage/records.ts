/** Plain records the repositories return. Times are Date; ids are UUID strings. */

export type Role = 'user' | 'admin';

export interface UserRecord {
  id: string;
  username: string;
  email: string | null;
  phone: string | null;
  /** Null for an account made without a password (a platform that signs its users in itself). */
  passwordHash: string | null;
  role: Role;
  /** Per-user override of the otpauth issuer; null means the system-wide one. */
  issuer: string | null;
  /** The account's primary domain (cPanel's `primary_domain`); null when it has none. */
  domain: string | null;
  /** The account that owns this one (a sub-account); null for a top-level account. */
  ownerId: string | null;
  /** What kind of sub-account this is; set exactly when `ownerId` is. */
  subKind: SubAccountKind | null;
  createdAt: Date;
  /** The platform's own id for this user (integration mode 2); unique when set. */
  externalId: string | null;
  /** When an admin disabled the account; null while it is enabled. */
  disabledAt: Date | null;
}

/** cPanel's sub-accounts: an e-mail account or a team user of a top-level account. */
export type SubAccountKind = 'email' | 'team';
export const SUB_ACCOUNT_KINDS: readonly SubAccountKind[] = ['email', 'team'];

/**
 * The second-factor methods. `email` uses the account's address; `backup_codes` is the marker
 * row of a set whose codes live in the backup_codes table; `webauthn` is the marker row of the
 * user's security keys and passkeys, whose credentials live in the webauthn_credentials table.
 */
export type FactorKind = 'totp' | 'sms' | 'email' | 'backup_codes' | 'webauthn';
export const FACTOR_KINDS: readonly FactorKind[] = ['totp', 'sms', 'email', 'backup_codes', 'webauthn'];
export type FactorStatus = 'pending' | 'active';

/**
 * What each method keeps about one factor. It is stored apart from the generic factor row (one
 * table per kind), so a new method (WebAuthn: credential id, public key, sign count) adds a table
 * of its own instead of overloading shared columns.
 */
export interface FactorDetailsByKind {
  totp: {
    /** The key, sealed by SecretBox with the factor id as context. */
    sealedSecret: string;
    algorithm: 'SHA1' | 'SHA256' | 'SHA512';
    digits: 6 | 8;
    period: number;
    /** The last accepted time step; a code for this step or an earlier one is refused. */
    lastUsedStep: number | null;
  };
  sms: {
    /** The E.164 number, sealed (personal data). */
    sealedPhone: string;
    /** What may be shown: +359********456. */
    maskedPhone: string;
  };
  email: {
    /** The address codes went to when it was enrolled, masked: j***@example.com. */
    maskedEmail: string;
  };
  backup_codes: {
    /** Size of the set and digits per code when it was generated. */
    count: number;
    digits: number;
  };
  webauthn: {
    /** The relying party ID the first credential was registered under (a credential is bound to it). */
    rpId: string;
  };
}

interface FactorBase {
  id: string;
  userId: string;
  status: FactorStatus;
  createdAt: Date;
  /** Pending factors expire; null once active. */
  expiresAt: Date | null;
  activatedAt: Date | null;
}

/**
 * A factor of one kind, with that kind's details. Distributive: for a union of kinds it is the
 * union of their factors, so `FactorOf<FactorKind>` is a FactorRecord (what `findActive(userId,
 * kind)` returns for a `kind: FactorKind`) and narrows on `kind` like one.
 */
export type FactorOf<K extends FactorKind> = K extends FactorKind
  ? FactorBase & { kind: K; details: FactorDetailsByKind[K] }
  : never;

/** A factor of any kind; narrow on `kind` to reach its details. */
export type FactorRecord = FactorOf<FactorKind>;

export interface RefreshTokenRecord {
  id: string;
  familyId: string;
  userId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  /** Set when the token was exchanged for a new one; a second use means it was stolen. */
  rotatedAt: Date | null;
}

export interface SessionFamilyRecord {
  id: string;
  userId: string;
  createdAt: Date;
  revokedAt: Date | null;
  /** The last sign-in or refresh, and the client it came from (shown to the user; null if unknown). */
  lastUsedAt: Date | null;
  clientIp: string | null;
  userAgent: string | null;
  /**
   * The sign-in passed a second factor (or a remembered device that stands for one); absent or
   * false for a password alone. API tokens made by a password-only session are held to the
   * "2FA required" policy.
   */
  secondFactor?: boolean;
  /** How the sign-in was made (RFC 8176 `amr`), carried by every access token of the session. */
  amr?: readonly string[];
}

export interface ApiTokenRecord {
  id: string;
  userId: string;
  name: string;
  /** `read` tokens may read but change nothing. */
  scope: 'write' | 'read';
  tokenHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /**
   * Made by a session that passed no second factor, or with a password sent along: the token is
   * held to the "2FA required" policy like that session, rather than outliving it. False (or
   * absent) for tokens the operator or an admin made and those of a second-factor session.
   */
  passwordOnly?: boolean;
}

export interface FlowRecord {
  id: string;
  kind: string;
  userId: string;
  state: string;
  /** Flow-specific data as JSON. Never a secret in plain text. */
  data: string;
  attempts: number;
  version: number;
  createdAt: Date;
  expiresAt: Date;
}

/** Per-account second-factor failure budget (see lockout/lockout-policy.ts). */
export interface LockoutRecord {
  userId: string;
  failedCount: number;
  lockLevel: number;
  lockedUntil: Date | null;
  /** Consecutive failures since the last success or admin unlock, locks included (the ceiling's count). */
  totalFailures: number;
  version: number;
}

/**
 * A failure budget kept under a key: the password failures of one account or of one client
 * address, the recovery failures of one account (see throttle/). `version` drives the
 * compare-and-set, as for LockoutRecord.
 */
export interface ThrottleRecord {
  key: string;
  /** Failures counted: consecutive ones, or those of the current window. */
  failures: number;
  /** How many times the budget ran out since it was last reset (the lock doubles each time). */
  level: number;
  /** No attempt is checked before this time. */
  blockedUntil: Date | null;
  /** Start of the counting window, for budgets that count per window. */
  windowStartedAt: Date | null;
  version: number;
}

/** One code of a user's backup-code set. Only its keyed hash is stored. */
export interface BackupCodeRecord {
  id: string;
  userId: string;
  codeHash: string;
  createdAt: Date;
  usedAt: Date | null;
}

export type DeliveryChannel = 'sms' | 'email';

/**
 * A code sent by SMS or e-mail for one purpose (sign-in, enabling a factor, a step-up or
 * recovery challenge). The code itself is never stored, only its keyed hash.
 */
export interface DeliveredCodeRecord {
  id: string;
  userId: string;
  /** What the code is for, e.g. `sign_in`, `enable_sms`, `challenge`. */
  purpose: string;
  channel: DeliveryChannel;
  /** Keyed hash of the destination (phone or address): the key of the send limits. */
  recipientHash: string;
  /** Keyed hash of the IP address of the client that asked for the code; null when unknown. */
  clientIpHash: string | null;
  codeHash: string;
  attempts: number;
  maxAttempts: number;
  sentAt: Date;
  expiresAt: Date;
  consumedAt: Date | null;
}

/** A short-lived, single-use proof that a challenge was passed, for one operation on one target. */
export interface SuccessTokenRecord {
  id: string;
  userId: string;
  tokenHash: string;
  /** e.g. `change_password`, `disable_factor`, `regenerate_backup_codes`, `reset_password`. */
  operation: string;
  /** What the operation applies to (a factor id, a method), or null when it has none. */
  target: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export type HistoryAction =
  | 'enable'
  | 'disable'
  | 'reset'
  | 'regenerate'
  | 'policy'
  | 'export'
  | 'import'
  | 'unlock'
  | 'create'
  | 'update'
  | 'delete'
  /** The account's own e-mail address or phone number changed (method `email` or `phone`). */
  | 'contact_change';
export type HistoryActor = 'self' | 'admin' | 'system';

/** One entry of the 2FA change history. */
export interface HistoryRecord {
  id: string;
  /** The account the change is about; null for system-wide changes (policy) and deleted accounts. */
  userId: string | null;
  /** What stands for the account once it is deleted (stable: the same for all its entries). */
  userPseudonym: string | null;
  /** `totp`, `sms`, `email`, `backup_codes`, or `policy` for a policy change. */
  method: string;
  action: HistoryAction;
  /** Whether 2FA by this method is enabled after the change. */
  enabled: boolean;
  actor: HistoryActor;
  /** The acting account (the user themself, or the admin). */
  actorId: string | null;
  clientIp: string | null;
  /** Extra non-secret facts as JSON (e.g. the policy set). */
  details: string;
  createdAt: Date;
}

export interface HistoryFilter {
  userId?: string;
  method?: string;
  enabled?: boolean;
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
}

/**
 * An entry as stored: with its number, given by the database in the order entries are written
 * (1, 2, 3, …; unique and never reused or changed). B2Core's change ids are integers.
 */
export interface StoredHistoryRecord extends HistoryRecord {
  number: number;
}

export interface HistoryPage {
  items: StoredHistoryRecord[];
  total: number;
}

/** A "remember this device" token: skips the second factor on that device until it expires. */
export interface TrustedDeviceRecord {
  id: string;
  userId: string;
  tokenHash: string;
  /** Non-secret label (the user agent, say) shown on the security page. */
  label: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A user with the kinds of their active factors, for admin listings. */
export interface UserTwoFactorSummary {
  user: UserRecord;
  activeKinds: FactorKind[];
  /** The account's second-factor lockout row, if it has one. */
  lockout?: LockoutRecord | undefined;
}

/**
 * One security key or passkey of a user (the `webauthn` factor holds any number of them, up to
 * the cap). The public key is not a secret: a copy of it lets no one sign in.
 */
export interface WebAuthnCredentialRecord {
  id: string;
  userId: string;
  /** The `webauthn` factor this credential belongs to. */
  factorId: string;
  /** The authenticator's credential id, base64url: what the browser sends back in an assertion. */
  credentialId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The signature counter last seen; an assertion with a counter not above it is refused (a clone). */
  signCount: number;
  /** Transports the browser reported (`usb`, `nfc`, `internal`, `hybrid`, …). */
  transports: string[];
  /** The authenticator model's AAGUID (all zeros when the authenticator does not say). */
  aaguid: string;
  /** Whether the credential may be synced to other devices (a synced passkey), and whether it is. */
  backupEligible: boolean;
  backedUp: boolean;
  /** Registered as a discoverable credential (a passkey): it can sign in without a username. */
  discoverable: boolean;
  /** Whether the authenticator verified the user (PIN, biometrics) at registration. */
  userVerified: boolean;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** A WebAuthn challenge handed to a browser: single use, expiring, bound to its flow and purpose. */
export interface WebAuthnChallengeRecord {
  id: string;
  /** base64url of the random bytes the authenticator signs. */
  challenge: string;
  /** `registration`, `second_factor`, `passkey`, `step_up`, `disable`. */
  purpose: string;
  /** The flow it belongs to; null for a passwordless sign-in (no flow: no user known yet). */
  flowId: string | null;
  /** The user it was issued for; null for a passwordless sign-in. */
  userId: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

/** A URL an admin registered for signed webhooks, and which events it takes. */
export interface WebhookEndpointRecord {
  id: string;
  url: string;
  description: string;
  /** The event types sent to it; empty: every type. */
  eventTypes: string[];
  enabled: boolean;
  /** Why it was switched off by Tessera (an answer 410 Gone); null when enabled or switched off by hand. */
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One signing secret of an endpoint, sealed; a rotated one stays live until `expiresAt`. */
export interface WebhookSecretRecord {
  id: string;
  endpointId: string;
  sealedSecret: string;
  createdAt: Date;
  /** Null for the current secret. */
  expiresAt: Date | null;
}

/** An event in the outbox, with its body exactly as it is signed and sent. */
export interface WebhookEventRecord {
  id: string;
  type: string;
  userId: string | null;
  payload: string;
  createdAt: Date;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event on its way to one endpoint. */
export interface WebhookDeliveryRecord {
  id: string;
  eventId: string;
  endpointId: string;
  eventType: string;
  userId: string | null;
  status: WebhookDeliveryStatus;
  /** Attempts since it was written or last sent again by hand. */
  attemptCount: number;
  nextAttemptAt: Date;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

/** One try of a delivery: the HTTP status (none when no answer came), how long, what went wrong. */
export interface WebhookAttemptRecord {
  id: string;
  deliveryId: string;
  attemptedAt: Date;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

/** A delivery a dispatcher holds the lease of, with what it needs to send it. */
export interface ClaimedWebhookDelivery {
  delivery: WebhookDeliveryRecord;
  payload: string;
  url: string;
  /** The endpoint's live secrets (current first), sealed. */
  secrets: Pick<WebhookSecretRecord, 'id' | 'sealedSecret'>[];
}

/**
 * A verify service: a namespace of destination verifications and of the TOTP defaults its
 * entities' authenticators get (Twilio Verify's Service), owned by the account that made it.
 */
export interface VerifyServiceRecord {
  id: string;
  ownerId: string;
  friendlyName: string;
  /** Digits of the codes its verifications send (4 to 10). */
  codeLength: number;
  settings: VerifyServiceSettings;
  createdAt: Date;
  updatedAt: Date;
}

/** What a verify service says beyond its name and code length; null: the server's default. */
export interface VerifyServiceSettings {
  ttsName: string | null;
  doNotShareWarningEnabled: boolean;
  totpIssuer: string | null;
  totpTimeStep: number | null;
  totpCodeLength: number | null;
  totpSkew: number | null;
}

export type DestinationVerificationStatus = 'pending' | 'approved' | 'canceled' | 'max_attempts_reached' | 'expired';

/** One send of a destination verification's code. */
export interface VerificationSendAttempt {
  channel: DeliveryChannel;
  sentAt: Date;
}

/**
 * A code sent to a phone number or e-mail address that belongs to no account, to prove that
 * whoever asked controls it. The code itself is a delivered code (`codeId`: single use, expiry,
 * attempt cap, send limits); this record is the verification around it.
 */
export interface DestinationVerificationRecord {
  id: string;
  serviceId: string;
  /** The account whose credentials asked for it: the client the send limits count. */
  ownerId: string;
  channel: DeliveryChannel;
  /** The destination, sealed with the verification id as context (it is shown back as `to`). */
  sealedDestination: string;
  /** Keyed hash of the destination: how a check by destination finds the verification. */
  destinationHash: string;
  status: DestinationVerificationStatus;
  /** The delivered code sent last (a resend replaces it). */
  codeId: string;
  sendAttempts: VerificationSendAttempt[];
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
}

/**
 * A code check of an entity's TOTP factor under a verify service (Twilio Verify's Challenge),
 * kept so that it can be fetched and listed: `approved` once a right code answered it.
 */
export interface EntityChallengeRecord {
  id: string;
  serviceId: string;
  userId: string;
  factorId: string;
  status: 'pending' | 'approved';
  createdAt: Date;
  updatedAt: Date;
  respondedAt: Date | null;
  expiresAt: Date;
}
