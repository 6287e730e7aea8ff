import type {
  ApiTokenRecord,
  FactorKind,
  FactorRecord,
  FlowRecord,
  LockoutRecord,
  RefreshTokenRecord,
  SessionFamilyRecord,
  UserRecord,
} from './records.js';

/**
 * Storage ports the core owns. Methods are named for what the domain needs; every "only once"
 * rule is enforced by a conditional write whose result says whether it won.
 */

export type NewUser = Omit<UserRecord, 'createdAt'> & { createdAt: Date };

export interface UserRepository {
  /** Returns 'username_taken' or 'email_taken' instead of throwing on a unique clash. */
  create(user: NewUser): Promise<'created' | 'username_taken' | 'email_taken'>;
  findById(id: string): Promise<UserRecord | undefined>;
  findByUsername(username: string): Promise<UserRecord | undefined>;
  count(): Promise<number>;
}

export interface FactorRepository {
  /** Inserts a pending factor, replacing any other pending factor of the same kind for the user. */
  insertPending(factor: FactorRecord): Promise<void>;
  findById(id: string): Promise<FactorRecord | undefined>;
  listByUser(userId: string): Promise<FactorRecord[]>;
  findActive(userId: string, kind: FactorKind): Promise<FactorRecord | undefined>;
  /**
   * The user's id and active factor of the kind, in one lookup (the server-to-server verify
   * path); undefined when there is no such user, `factor` undefined when the user has none.
   */
  findActiveByUsername(
    username: string,
    kind: FactorKind,
  ): Promise<{ userId: string; factor: FactorRecord | undefined } | undefined>;
  hasActive(userId: string): Promise<boolean>;
  /**
   * pending → active, recording the step of the confirming code. False if the factor was not
   * pending any more, or another active factor of the kind won the race.
   */
  activate(id: string, now: Date, usedStep: number | null): Promise<boolean>;
  /**
   * Records an accepted TOTP step: one conditional UPDATE that succeeds only if `step` is newer
   * than the stored one. This is what makes a code usable at most once, across processes.
   */
  recordUsedStep(id: string, step: number): Promise<boolean>;
  delete(id: string): Promise<boolean>;
}

export interface SessionRepository {
  createFamily(family: SessionFamilyRecord): Promise<void>;
  findFamily(id: string): Promise<SessionFamilyRecord | undefined>;
  revokeFamily(id: string, now: Date): Promise<void>;
  insertRefreshToken(token: RefreshTokenRecord): Promise<void>;
  findRefreshTokenByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Marks the token rotated only if it was not yet: true for the one caller that wins. */
  markRotated(id: string, now: Date): Promise<boolean>;
}

export interface ApiTokenRepository {
  insert(token: ApiTokenRecord): Promise<void>;
  findByHash(tokenHash: string): Promise<ApiTokenRecord | undefined>;
  /** The owner of a token that is not revoked, in one lookup (every API-token request does this). */
  findOwnerByHash(tokenHash: string): Promise<UserRecord | undefined>;
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
}

export interface LockoutRepository {
  find(userId: string): Promise<LockoutRecord | undefined>;
  /**
   * Compare-and-set on `version` (0 means "no row yet": insert). False when another request
   * changed the row first; the caller reads again and retries.
   */
  compareAndSet(expectedVersion: number, next: LockoutRecord): Promise<boolean>;
  reset(userId: string): Promise<void>;
}

export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  /** Inserts only if absent; returns the value now stored. */
  setIfAbsent(key: string, value: string): Promise<string>;
  set(key: string, value: string): Promise<void>;
}

export interface Repositories {
  users: UserRepository;
  factors: FactorRepository;
  sessions: SessionRepository;
  apiTokens: ApiTokenRepository;
  flows: FlowRepository;
  lockouts: LockoutRepository;
  settings: SettingsRepository;
}

/** A database the core can use: repositories plus a way to close it. */
export interface Storage extends Repositories {
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}
