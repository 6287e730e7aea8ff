import type { AuditRepository } from './audit-repository.js';
import type {
  ApiTokenRecord,
  BackupCodeRecord,
  ClaimedWebhookDelivery,
  DeliveredCodeRecord,
  DestinationVerificationRecord,
  EntityChallengeRecord,
  FactorKind,
  FactorOf,
  FactorRecord,
  FlowRecord,
  HistoryFilter,
  HistoryPage,
  HistoryRecord,
  LockoutRecord,
  RefreshTokenRecord,
  Role,
  SessionFamilyRecord,
  StoredHistoryRecord,
  SuccessTokenRecord,
  ThrottleRecord,
  TrustedDeviceRecord,
  UserRecord,
  UserTwoFactorSummary,
  VerifyServiceRecord,
  WebAuthnChallengeRecord,
  WebAuthnCredentialRecord,
  WebhookAttemptRecord,
  WebhookDeliveryRecord,
  WebhookDeliveryStatus,
  WebhookEndpointRecord,
  WebhookEventRecord,
  WebhookSecretRecord,
} from './records.js';

/**
 * Storage ports the core owns. Methods are named for what the domain needs; every "only once"
 * rule is enforced by a conditional write whose result says whether it won.
 */

/** A user (whether disabled) and their active factor of one kind, if any. */
export interface ActiveOfOwner<K extends FactorKind> {
  userId: string;
  disabled: boolean;
  factor: FactorOf<K> | undefined;
  /**
   * The account's lockout row (undefined: none yet), read in the same statement, so that a
   * check of a code can start its compare-and-set from it without reading it again.
   */
  lockout: LockoutRecord | undefined;
}

export type NewUser = Omit<UserRecord, 'createdAt'> & { createdAt: Date };

export interface UserRepository {
  /** Returns 'username_taken', 'email_taken' or 'external_id_taken' instead of throwing on a unique clash. */
  create(user: NewUser): Promise<'created' | 'username_taken' | 'email_taken' | 'external_id_taken'>;
  findByExternalId(externalId: string): Promise<UserRecord | undefined>;
  /** Sets the fields given (null clears one); durable. */
  updateContact(
    id: string,
    contact: { email?: string | null; phone?: string | null },
  ): Promise<'updated' | 'not_found' | 'email_taken'>;
  /** Sets the username, the role or both; a username another account has is 'username_taken'. */
  updateIdentity(
    id: string,
    identity: { username?: string; role?: Role },
  ): Promise<'updated' | 'not_found' | 'username_taken'>;
  /** Disables the account (a time) or enables it again (null); false when there is no such user. */
  setDisabled(id: string, disabledAt: Date | null): Promise<boolean>;
  /** Removes the account and, by cascade, everything that belongs to it; false when there was none. */
  delete(id: string): Promise<boolean>;
  findById(id: string): Promise<UserRecord | undefined>;
  findByUsername(username: string): Promise<UserRecord | undefined>;
  count(): Promise<number>;
  findByEmail(email: string): Promise<UserRecord | undefined>;
  updatePasswordHash(id: string, passwordHash: string): Promise<boolean>;
  /** Sets or clears (null) the user's issuer override. */
  updateIssuer(id: string, issuer: string | null): Promise<boolean>;
  updatePhone(id: string, phone: string | null): Promise<boolean>;
  /** Decided by the unique index, as at create: another account's address is 'email_taken'. */
  updateEmail(id: string, email: string | null): Promise<'updated' | 'not_found' | 'email_taken'>;
  /**
   * Up to `limit` users whose stored phone is set and does not start with `sealedPrefix`: numbers
   * stored before phones were sealed (the core seals them at start-up).
   */
  listUnsealedPhones(sealedPrefix: string, limit: number): Promise<{ id: string; phone: string }[]>;
  /**
   * Users ordered by username with the kinds of their active factors and lockout, and the total
   * count; with `search`, only those whose username, e-mail address or externalId contains it
   * (case-insensitive; phones are sealed, so they cannot be searched), and the total of those.
   */
  listWithFactors(
    limit: number,
    offset: number,
    search?: string,
  ): Promise<{ items: UserTwoFactorSummary[]; total: number }>;
  /**
   * Up to `limit` top-level accounts (no owner) with the kinds of their active factors, ordered by
   * username, starting after `afterUsername` (keyset paging: each page costs the same however
   * deep it is; null starts at the first).
   */
  listTopLevelWithFactors(afterUsername: string | null, limit: number): Promise<UserTwoFactorSummary[]>;
  /** The accounts `ownerId` owns (its e-mail and team sub-accounts), ordered by username. */
  listOwnedBy(ownerId: string): Promise<UserRecord[]>;
  /** Whether `ownerId` owns any account. */
  ownsAccounts(ownerId: string): Promise<boolean>;
}

export interface FactorRepository {
  /** Inserts a pending factor, replacing any other pending factor of the same kind for the user. */
  insertPending(factor: FactorRecord): Promise<void>;
  findById(id: string): Promise<FactorRecord | undefined>;
  listByUser(userId: string): Promise<FactorRecord[]>;
  findActive<K extends FactorKind>(userId: string, kind: K): Promise<FactorOf<K> | undefined>;
  /**
   * As findActive, with the account's lockout row read in the same statement (undefined: none
   * yet), for a check of a code to start its compare-and-set from. No factor: undefined.
   */
  findActiveToCheck<K extends FactorKind>(
    userId: string,
    kind: K,
  ): Promise<{ factor: FactorOf<K>; lockout: LockoutRecord | undefined } | undefined>;
  /** The user's pending factor of the kind, expired or not (insertPending keeps at most one). */
  findPending<K extends FactorKind>(userId: string, kind: K): Promise<FactorOf<K> | undefined>;
  /**
   * The user's id and active factor of the kind, in one lookup (the server-to-server verify
   * path); undefined when there is no such user, `factor` undefined when the user has none.
   */
  findActiveByUsername<K extends FactorKind>(username: string, kind: K): Promise<ActiveOfOwner<K> | undefined>;
  /** The same, for the user the platform knows by `externalId`. */
  findActiveByExternalId<K extends FactorKind>(externalId: string, kind: K): Promise<ActiveOfOwner<K> | undefined>;
  hasActive(userId: string): Promise<boolean>;
  /**
   * pending → active, recording the step of the confirming code. False if the factor was not
   * pending any more, or another active factor of the kind won the race.
   */
  activate(id: string, now: Date, usedStep: number | null): Promise<boolean>;
  /**
   * Records an accepted TOTP step (in the TOTP details): one conditional UPDATE that succeeds
   * only if `step` is newer than the stored one. This is what makes a code usable at most once,
   * across processes.
   */
  recordUsedStep(id: string, step: number): Promise<boolean>;
  /**
   * A valid TOTP code's writes in one commit: the step recorded as recordUsedStep records it and
   * the owner's failures reset, on condition that their lockout row is still `expectedVersion`
   * (the state the attempt was decided on; 0: there was no row). A row with nothing to clear
   * (`nothingToClear`), or none, is not written, only required to be unchanged.
   * Both or neither: `replayed` when the step was not newer, `lockout_changed` when another
   * attempt changed the row first (the caller reads it again and decides again). Without
   * `clearFailures` (an attempt already reserved in turn) the step alone.
   */
  recordUsedStepClearingFailures(id: string, step: number, clearFailures?: FailuresToClear): Promise<UsedStepOutcome>;
  delete(id: string): Promise<boolean>;
  /** Removes every factor (pending and active) of the user; returns the kinds that were active. */
  deleteAllForUser(userId: string): Promise<FactorKind[]>;
  /** Kinds of the user's active factors. */
  activeKinds(userId: string): Promise<FactorKind[]>;
  /** Inserts a factor that is active at once (backup codes; an imported TOTP secret). */
  insertActive(factor: FactorRecord): Promise<'inserted' | 'already_active'>;
}

export interface BackupCodeRepository {
  /** Replaces the user's whole set in one transaction: no moment with two sets or none. */
  replaceSet(userId: string, codes: BackupCodeRecord[]): Promise<void>;
  /**
   * Marks the unused code with this hash used: one conditional UPDATE, so a code is accepted at
   * most once even under concurrency. True for the one caller that wins.
   */
  consume(userId: string, codeHash: string, now: Date): Promise<boolean>;
  countRemaining(userId: string): Promise<number>;
  deleteAll(userId: string): Promise<void>;
}

/** Why a send was refused by the send limits. */
export type SendLimitRefusal =
  | { reason: 'cooldown'; retryAt: Date }
  | { reason: 'hourly_limit' }
  | { reason: 'account_hourly_limit' }
  | { reason: 'account_destinations' }
  | { reason: 'client_destinations' };

export interface SendLimits {
  /** Seconds between two sends to one recipient for one purpose (each purpose has its own). */
  cooldownSeconds: number;
  /** Sends to one recipient in any rolling hour. */
  hourlyLimit: number;
  /** SMS sends for one account (code.userId) in any rolling hour, whatever the numbers; unset: unchecked. */
  accountHourlySmsLimit?: number;
  /** Different SMS recipients of one account in any rolling day (one already sent to is not new); unset: unchecked. */
  accountDailySmsDestinations?: number;
  /** Different SMS recipients asked for from one client IP hash in any rolling day; unchecked when unset or the hash is null. */
  clientDailySmsDestinations?: number;
}

export interface DeliveredCodeRepository {
  /**
   * Checks the send limits and records the code in one atomic step (no two concurrent sends can
   * both pass the check): the recipient's (every code of `code.recipientHash` sent in the hour
   * before `code.sentAt`) and, for SMS, the account's and the client address's (`code.userId`,
   * `code.clientIpHash`: SMS codes in the hour, different SMS recipients in the day before
   * `code.sentAt`). Returns the refusal, or undefined when the code was recorded.
   */
  insertWithinLimits(code: DeliveredCodeRecord, limits: SendLimits): Promise<SendLimitRefusal | undefined>;
  /** Removes a recorded code whose message could not be sent (it never reached anyone). */
  discard(id: string): Promise<void>;
  findById(id: string): Promise<DeliveredCodeRecord | undefined>;
  /**
   * Marks the code consumed if it is unconsumed, unexpired, its hash matches and it has tries
   * left: one conditional UPDATE. True for the one caller that wins.
   */
  consume(id: string, codeHash: string, now: Date): Promise<boolean>;
  /** Counts a wrong try (only while under maxAttempts and unconsumed); returns the new count, or undefined if not counted. */
  recordFailedAttempt(id: string): Promise<number | undefined>;
  /** Ends the code without using it (a new code was sent for the same purpose). */
  invalidate(id: string, now: Date): Promise<void>;
}

export interface SuccessTokenRepository {
  insert(token: SuccessTokenRecord): Promise<void>;
  /**
   * Uses the token if it is unused, unexpired and was issued for exactly this operation and
   * target: one conditional UPDATE. Returns the token's user id for the one caller that wins.
   */
  consume(
    tokenHash: string,
    operation: string,
    target: string | null,
    now: Date,
    /** When given, only this user's token is used; anyone else's stays usable by its owner. */
    userId?: string,
  ): Promise<string | undefined>;
}

export interface HistoryRepository {
  /** Stores the entry and returns the number the database gave it. */
  insert(entry: HistoryRecord): Promise<number>;
  findById(id: string): Promise<StoredHistoryRecord | undefined>;
  findByNumber(number: number): Promise<StoredHistoryRecord | undefined>;
  /** Filtered page ordered by createdAt (then id) in the given direction, with the filtered total. */
  list(filter: HistoryFilter, order: 'asc' | 'desc', limit: number, offset: number): Promise<HistoryPage>;
  /**
   * Before an account is deleted: its entries keep `pseudonym` instead of its id (as subject and
   * as actor), and the client addresses of what it did itself are cleared. Returns how many
   * entries were about it.
   */
  pseudonymise(userId: string, pseudonym: string): Promise<number>;
}

export interface TrustedDeviceRepository {
  insert(device: TrustedDeviceRecord): Promise<void>;
  findByHash(tokenHash: string): Promise<TrustedDeviceRecord | undefined>;
  /** Swaps the token hash if it is still `currentHash` and the device is not revoked (rotation). */
  rotate(id: string, currentHash: string, nextHash: string, now: Date, expiresAt: Date): Promise<boolean>;
  listActive(userId: string, now: Date): Promise<TrustedDeviceRecord[]>;
  revoke(id: string, userId: string, now: Date): Promise<boolean>;
  revokeAllForUser(userId: string, now: Date): Promise<number>;
}

export interface SessionRepository {
  createFamily(family: SessionFamilyRecord): Promise<void>;
  findFamily(id: string): Promise<SessionFamilyRecord | undefined>;
  revokeFamily(id: string, now: Date): Promise<void>;
  /**
   * Revokes every session family of the user not revoked yet, except `exceptFamilyId` (the
   * caller's own session, kept on a password change); returns how many were revoked.
   */
  revokeAllForUser(userId: string, now: Date, exceptFamilyId?: string): Promise<number>;
  insertRefreshToken(token: RefreshTokenRecord): Promise<void>;
  findRefreshTokenByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Marks the token rotated only if it was not yet: true for the one caller that wins. */
  markRotated(id: string, now: Date): Promise<boolean>;
  /** Moves the token's expiry on to `expiresAt`, never back (a cookie session in use). */
  extendRefreshToken(id: string, expiresAt: Date): Promise<void>;
  /** Records a use of the session (a refresh) and the client that made it. */
  recordUse(familyId: string, now: Date, client: { clientIp: string | null; userAgent: string | null }): Promise<void>;
  /**
   * The user's sessions that can still be used at `now`: not revoked, with a refresh token not
   * yet rotated nor expired. Newest first.
   */
  listActive(userId: string, now: Date): Promise<SessionFamilyRecord[]>;
  /** Revokes the user's session `id` if it is not revoked yet; false when there is no such session. */
  revokeOwned(id: string, userId: string, now: Date): Promise<boolean>;
}

export interface ApiTokenRepository {
  insert(token: ApiTokenRecord): Promise<void>;
  findByHash(tokenHash: string): Promise<ApiTokenRecord | undefined>;
  /** A token that is not revoked with its owner, in one lookup (every API-token request does this). */
  findWithOwnerByHash(tokenHash: string): Promise<
    | {
        tokenId: string;
        scope: ApiTokenRecord['scope'];
        /** See ApiTokenRecord.passwordOnly. */
        passwordOnly: boolean;
        lastUsedAt: Date | null;
        owner: UserRecord;
      }
    | undefined
  >;
  /** Sets last_used_at to `now` unless it is already `since` or later: one conditional UPDATE. */
  recordUse(id: string, now: Date, since: Date): Promise<void>;
  /** Replaces the stored hash if it is still `from` (a re-hash under the current key); whether it did. */
  replaceHash(id: string, from: string, to: string): Promise<boolean>;
  listByUser(userId: string): Promise<ApiTokenRecord[]>;
  revoke(id: string, userId: string, now: Date): Promise<boolean>;
}

export interface FlowRepository {
  insert(flow: FlowRecord): Promise<void>;
  findById(id: string): Promise<FlowRecord | undefined>;
  /** Optimistic concurrency: writes only if the stored version is still `expectedVersion`. */
  updateIfVersion(
    id: string,
    expectedVersion: number,
    next: Pick<FlowRecord, 'state' | 'data' | 'attempts'>,
  ): Promise<boolean>;
  /**
   * Ends every unexpired flow of the user by moving its expiry to `now` (and its version on, so
   * a request holding the old row loses); returns how many. Finished flows stay as they are.
   */
  expireAllForUser(userId: string, now: Date): Promise<number>;
  /** Removes the flow; false when there was none. */
  delete(id: string): Promise<boolean>;
}

/** An account's lockout row to reset, provided it is still the version an attempt read (0: no row). */
export interface FailuresToClear {
  userId: string;
  expectedVersion: number;
  /** The row as read holds no failure, lock or suspension: there is nothing to reset. */
  nothingToClear?: boolean;
}

export type UsedStepOutcome = 'recorded' | 'replayed' | 'lockout_changed';

export interface LockoutRepository {
  find(userId: string): Promise<LockoutRecord | undefined>;
  /**
   * Compare-and-set on `version` (0 means "no row yet": insert). False when another request
   * changed the row first; the caller reads again and retries.
   */
  compareAndSet(expectedVersion: number, next: LockoutRecord): Promise<boolean>;
  reset(userId: string): Promise<void>;
  /**
   * Reads the account's row under a lock that every other writer of it waits for (a row lock on
   * PostgreSQL, the database's write lock on SQLite), writes the `next` that `decide` returns
   * (nothing when it returns none) and resolves to its `result`; what `decide` throws is thrown,
   * with nothing written. For the attempts whose compare-and-set keeps losing to concurrent ones:
   * each waits its turn and is decided, instead of giving up.
   */
  updateSerialized<R>(
    userId: string,
    decide: (current: LockoutRecord | undefined) => { next?: LockoutRecord; result: R },
  ): Promise<R>;
}

/** Failure budgets by key (throttle/): the same compare-and-set as the lockouts. */
export interface ThrottleRepository {
  find(key: string): Promise<ThrottleRecord | undefined>;
  /** Compare-and-set on `version` (0 means "no row yet": insert); false when another request won. */
  compareAndSet(expectedVersion: number, next: ThrottleRecord): Promise<boolean>;
  /** Starts the budget afresh (bumping the version, so older writers lose); nothing if no row. */
  reset(key: string): Promise<void>;
}

export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  /** Inserts only if absent; returns the value now stored. */
  setIfAbsent(key: string, value: string): Promise<string>;
  set(key: string, value: string): Promise<void>;
}

/** Columns that hold values sealed by SecretBox, each bound to its row id (see SecretKeyRotation). */
export type SealedColumn = 'totp_secret' | 'sms_phone' | 'user_phone' | 'webhook_secret' | 'verification_destination';

/** Tables whose rows are found by a keyed hash of a value only its holder has. */
export type HashedTable =
  | 'api_tokens'
  | 'refresh_tokens'
  | 'backup_codes'
  | 'trusted_devices'
  | 'success_tokens'
  | 'delivered_codes';

export interface KeyCount<C extends string> {
  column: C;
  /** The id of the key; for a hash, null when it was stored before hashes were tagged. */
  keyId: string | null;
  count: number;
}

/**
 * What `tessera secret status` counts and `tessera secret rotate` rewrites: the values that
 * depend on the secret key, by the id of the key each one names. Every rewrite is a
 * compare-and-set, so a value changed meanwhile by a request is left as that request wrote it.
 */
export interface SecretKeyRepository {
  /** Sealed values per column and key id. */
  countSealed(): Promise<KeyCount<SealedColumn>[]>;
  /** Up to `limit` sealed values of `column` not sealed under `keyId`, with ids after `after`, in id order. */
  listSealedNotUnder(
    column: SealedColumn,
    keyId: string,
    after: string | null,
    limit: number,
  ): Promise<{ id: string; sealed: string }[]>;
  /** Writes `next` if the row still holds `expected`; whether it did. */
  replaceSealed(column: SealedColumn, id: string, expected: string, next: string): Promise<boolean>;
  /** Keyed hashes that can still be used (not revoked, used or expired at `now`) per table and key id. */
  countHashes(now: Date): Promise<KeyCount<HashedTable>[]>;
  /** Tags every untagged keyed hash with `keyId` (`<key id>.<digest>`); returns how many rows changed. */
  tagUntaggedHashes(keyId: string): Promise<number>;
  /** The flows of `kind` that have not expired at `now`, with their data. */
  listLiveFlows(kind: string, now: Date): Promise<{ id: string; data: string }[]>;
  /** Writes the flow's data if it is still `expected` (its version and state left alone); whether it did. */
  replaceFlowData(id: string, expected: string, next: string): Promise<boolean>;
  /** Writes the setting if it is still `expected`; whether it did. */
  replaceSetting(key: string, expected: string, next: string): Promise<boolean>;
}

export interface WebAuthnCredentialRepository {
  /** False when the credential id is registered already (to anyone): a credential belongs to one account. */
  insert(credential: WebAuthnCredentialRecord): Promise<boolean>;
  listByUser(userId: string): Promise<WebAuthnCredentialRecord[]>;
  countByUser(userId: string): Promise<number>;
  findByCredentialId(credentialId: string): Promise<WebAuthnCredentialRecord | undefined>;
  /**
   * Records an accepted assertion: the new counter and backup state, and the time of use. One
   * conditional UPDATE that succeeds only while the stored counter is still `expectedSignCount`,
   * so two assertions read with the same counter cannot both pass.
   */
  recordUse(
    id: string,
    expectedSignCount: number,
    next: { signCount: number; backedUp: boolean; lastUsedAt: Date },
  ): Promise<boolean>;
  rename(id: string, userId: string, name: string): Promise<boolean>;
  delete(id: string, userId: string): Promise<boolean>;
}

export interface WebAuthnChallengeRepository {
  insert(challenge: WebAuthnChallengeRecord): Promise<void>;
  /**
   * Uses the challenge if it is unused, unexpired and of this purpose: one conditional UPDATE, so
   * of concurrent callers only one gets it back.
   */
  consume(id: string, purpose: string, now: Date): Promise<WebAuthnChallengeRecord | undefined>;
}

export type WebhookEndpointChanges = Partial<
  Pick<WebhookEndpointRecord, 'url' | 'description' | 'eventTypes' | 'enabled' | 'disabledReason'>
>;

/** A delivery and its attempts, newest attempt first, for an admin's listing. */
export type WebhookDeliveryWithAttempts = WebhookDeliveryRecord & { attempts: WebhookAttemptRecord[] };

/**
 * The webhook endpoints and the outbox of their deliveries. The outbox is written in the
 * transaction of the change it reports (`enqueue` on the repositories of a unit of work), so an
 * event is kept exactly when its change is; dispatchers take due deliveries under a lease.
 */
export interface WebhookRepository {
  insertEndpoint(endpoint: WebhookEndpointRecord, secret: WebhookSecretRecord): Promise<void>;
  listEndpoints(): Promise<WebhookEndpointRecord[]>;
  findEndpoint(id: string): Promise<WebhookEndpointRecord | undefined>;
  /** Writes the fields given; the endpoint as it now is, undefined when there is none. */
  updateEndpoint(id: string, changes: WebhookEndpointChanges, now: Date): Promise<WebhookEndpointRecord | undefined>;
  /** Removes it with its secrets and deliveries; false when there was none. */
  deleteEndpoint(id: string): Promise<boolean>;
  /**
   * Makes `next` the endpoint's current secret; the secrets live until now stay live until
   * `previousUntil`, and those expired at `now` are removed. False when there is no such endpoint.
   */
  rotateSecret(endpointId: string, next: WebhookSecretRecord, previousUntil: Date, now: Date): Promise<boolean>;
  /**
   * Writes the event and one pending delivery, due at once, for every enabled endpoint whose
   * filter takes its type; nothing when none does. Returns how many deliveries were written.
   */
  enqueue(event: WebhookEventRecord): Promise<number>;
  /**
   * Takes the lease of up to `limit` deliveries that are due at `now`, pending, not leased (or
   * whose lease has run out), of an enabled endpoint, and with no earlier pending delivery of
   * the same account to the same endpoint. Each is taken by a compare-and-set on its lease, so
   * two dispatchers never hold one delivery at the same time.
   */
  claimDue(now: Date, leaseUntil: Date, leaseOwner: string, limit: number): Promise<ClaimedWebhookDelivery[]>;
  /** How many deliveries are pending and due at `now`, to enabled endpoints, leased or not (the backlog). */
  countDue(now: Date): Promise<number>;
  /**
   * Records an attempt and moves the delivery on (delivered, failed, or pending until
   * `nextAttemptAt`), releasing the lease; only while `leaseOwner` still holds it (false otherwise,
   * and nothing is written but the attempt).
   */
  finishAttempt(
    deliveryId: string,
    leaseOwner: string,
    attempt: WebhookAttemptRecord,
    next: { status: WebhookDeliveryStatus; nextAttemptAt: Date; deliveredAt: Date | null },
  ): Promise<boolean>;
  /** The endpoint's deliveries, newest first, with their attempts, and the total. */
  listDeliveries(
    endpointId: string,
    limit: number,
    offset: number,
  ): Promise<{ items: WebhookDeliveryWithAttempts[]; total: number }>;
  findDelivery(endpointId: string, deliveryId: string): Promise<WebhookDeliveryWithAttempts | undefined>;
  /** Makes the delivery pending and due at `now` again, with a fresh round of attempts; false when there is none. */
  redeliver(endpointId: string, deliveryId: string, now: Date): Promise<boolean>;
}

export interface VerifyServiceRepository {
  insert(service: VerifyServiceRecord): Promise<void>;
  /** The owner's service with this id (another owner's is not found). */
  findById(id: string, ownerId: string): Promise<VerifyServiceRecord | undefined>;
  /** The owner's services, oldest first, a page at a time. */
  list(ownerId: string, offset: number, limit: number): Promise<VerifyServiceRecord[]>;
  /** Replaces the service's name, code length and settings; false when it is not the owner's. */
  update(service: VerifyServiceRecord): Promise<boolean>;
  /** Removes the service and its verifications; false when there was none of the owner's. */
  delete(id: string, ownerId: string): Promise<boolean>;
}

export interface DestinationVerificationRepository {
  insert(verification: DestinationVerificationRecord): Promise<void>;
  findById(id: string): Promise<DestinationVerificationRecord | undefined>;
  /** The latest verification of the service for the destination that is still pending and unexpired. */
  findPending(
    serviceId: string,
    destinationHash: string,
    now: Date,
  ): Promise<DestinationVerificationRecord | undefined>;
  /**
   * Changes a verification only while it is still pending (one conditional UPDATE): of
   * concurrent changes, one wins. True for the winner.
   */
  updatePending(
    id: string,
    change: Partial<Pick<DestinationVerificationRecord, 'status' | 'codeId' | 'sendAttempts' | 'expiresAt'>> & {
      updatedAt: Date;
    },
  ): Promise<boolean>;
}

export interface EntityChallengeRepository {
  insert(challenge: EntityChallengeRecord): Promise<void>;
  /** The challenge of this service and account; another's is not found. */
  findById(id: string, serviceId: string, userId: string): Promise<EntityChallengeRecord | undefined>;
  /** The account's challenges under the service, newest first, a page at a time. */
  list(serviceId: string, userId: string, offset: number, limit: number): Promise<EntityChallengeRecord[]>;
  /** pending → approved while unexpired: one conditional UPDATE, true for the one caller that wins. */
  approve(id: string, now: Date): Promise<boolean>;
}

export interface Repositories {
  users: UserRepository;
  factors: FactorRepository;
  sessions: SessionRepository;
  apiTokens: ApiTokenRepository;
  flows: FlowRepository;
  lockouts: LockoutRepository;
  throttles: ThrottleRepository;
  settings: SettingsRepository;
  backupCodes: BackupCodeRepository;
  deliveredCodes: DeliveredCodeRepository;
  successTokens: SuccessTokenRepository;
  history: HistoryRepository;
  trustedDevices: TrustedDeviceRepository;
  webauthnCredentials: WebAuthnCredentialRepository;
  webauthnChallenges: WebAuthnChallengeRepository;
  webhooks: WebhookRepository;
  /** The tamper-evident audit trail: appended inside the unit of work of the change it records. */
  audit: AuditRepository;
  verifyServices: VerifyServiceRepository;
  destinationVerifications: DestinationVerificationRepository;
  entityChallenges: EntityChallengeRepository;
}

/**
 * Several writes that must happen together or not at all (a confirm that advances its flow and
 * activates the factor; a disable that uses a success token, finishes the flow and removes the
 * factor). The repositories handed to `work` write inside one transaction, committed durably
 * when `work` resolves and rolled back when it throws. Only the repositories given may be used
 * inside; `work` should do no I/O but the database's.
 */
export interface UnitOfWork {
  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T>;
}

/** A database the core can use: repositories, transactions, and a way to close it. */
export interface Storage extends Repositories, UnitOfWork {
  readonly dialect: 'sqlite' | 'postgres';
  /** The values that depend on the secret key, for its rotation. */
  readonly secretKeys: SecretKeyRepository;
  close(): Promise<void>;
}
