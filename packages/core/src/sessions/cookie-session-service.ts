import type { AccountService } from '../accounts/account-service.js';
import { assertEnabled } from '../accounts/account-service.js';
import type { Actor, UserActor } from '../auth/actor.js';
import { clientIpOf } from '../auth/actor.js';
import type { Clock } from '../clock.js';
import { findByKeyedHash, type KeyedHasher } from '../crypto/keyed-hash.js';
import { newId, newOpaqueToken } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { SessionRepository, UserRepository } from '../storage/repositories.js';
import { sessionClientOf } from './session-service.js';

/** Seconds a cookie session may stay unused before it ends, unless configured. */
export const DEFAULT_COOKIE_SESSION_IDLE_SECONDS = 30 * 60;
/**
 * A session's expiry is pushed on at most once per this many seconds of use, so that a script
 * making many calls does not write on each one.
 */
const EXTEND_AFTER_SECONDS = 60;

export interface CookieSessionStarted {
  /** The secret the client holds (cPanel's `cpsession` cookie); stored only as a keyed hash. */
  token: string;
  /** The session's URL token, `cpsess` and 10 digits, bound to the cookie. */
  securityToken: string;
}

/**
 * Browser-style sessions of the cPanel dialects (`/login/?login_only=1`): a cookie that holds an
 * opaque token, and a security token (`cpsess0123456789`) the URLs carry. Each is a session
 * family of its own with one token row, so it is stored where the native sessions are (shared
 * by every node on PostgreSQL) and ends with them: sign-out, a password change, an admin reset.
 * The token is hashed under a domain of its own, so it can never be presented as a native
 * refresh token; its expiry moves on with use (idle timeout).
 */
export class CookieSessionService {
  constructor(
    private readonly deps: {
      sessions: SessionRepository;
      users: Pick<UserRepository, 'findById'>;
      accounts: Pick<AccountService, 'authenticatePassword'>;
      hasher: KeyedHasher;
      clock: Clock;
      idleSeconds: number;
    },
  ) {}

  /**
   * Signs in with a password and, for an account with an authenticator, its current code
   * (checked, spent and throttled as everywhere: AccountService.authenticatePassword).
   */
  async login(
    actor: Actor,
    input: { username: string; password: string; otp?: string },
  ): Promise<CookieSessionStarted> {
    const user = await this.deps.accounts.authenticatePassword(
      input.username,
      input.password,
      clientIpOf(actor),
      input.otp,
    );
    const now = this.deps.clock.now();
    const familyId = newId();
    await this.deps.sessions.createFamily({
      id: familyId,
      userId: user.userId,
      createdAt: now,
      revokedAt: null,
      lastUsedAt: now,
      ...sessionClientOf(actor),
    });
    const token = newOpaqueToken('tsc');
    await this.deps.sessions.insertRefreshToken({
      id: newId(),
      familyId,
      userId: user.userId,
      tokenHash: this.tokenHash(token),
      createdAt: now,
      expiresAt: this.expiryFrom(now),
      rotatedAt: null,
    });
    return { token, securityToken: this.securityTokenOf(token) };
  }

  /** The actor of a request with the session's cookie and, in its URL, the session's security token. */
  async authenticate(token: string, securityToken: string, clientIp: string | null): Promise<UserActor> {
    const { sessions, clock } = this.deps;
    if (!this.securityTokenMatches(token, securityToken)) throw invalid('security token of another session');
    const stored = (
      await findByKeyedHash(this.deps.hasher, `cookie-session:${token}`, (hash) =>
        sessions.findRefreshTokenByHash(hash),
      )
    )?.found;
    const now = clock.now();
    if (!stored || stored.rotatedAt !== null) throw invalid('unknown session');
    if (stored.expiresAt <= now) throw invalid('idle too long');
    const family = await sessions.findFamily(stored.familyId);
    if (!family || family.revokedAt !== null) throw invalid('signed out');
    const user = await this.deps.users.findById(stored.userId);
    if (!user) throw invalid('account gone');
    assertEnabled(user);
    if (stored.expiresAt.getTime() - now.getTime() < (this.deps.idleSeconds - EXTEND_AFTER_SECONDS) * 1000) {
      await sessions.extendRefreshToken(stored.id, this.expiryFrom(now));
    }
    return {
      kind: 'user',
      userId: user.id,
      role: user.role,
      authentication: { method: 'session', sessionId: stored.familyId },
      clientIp,
    };
  }

  /**
   * Ends the session whose cookie holds `token` (cPanel's `/logout`): its family is revoked, so
   * neither the cookie nor the prefix opens anything again. Given the URL's security token, it
   * must be that session's (as for every call under the prefix), or nothing ends. Whether a
   * session was ended; one already ended, idle or unknown is false, never an error.
   */
  async logout(token: string, securityToken?: string): Promise<boolean> {
    const { sessions, clock } = this.deps;
    if (securityToken !== undefined && !this.securityTokenMatches(token, securityToken)) return false;
    const stored = (
      await findByKeyedHash(this.deps.hasher, `cookie-session:${token}`, (hash) =>
        sessions.findRefreshTokenByHash(hash),
      )
    )?.found;
    if (!stored) return false;
    const family = await sessions.findFamily(stored.familyId);
    if (!family || family.revokedAt !== null) return false;
    await sessions.revokeFamily(stored.familyId, clock.now());
    return true;
  }

  /** `cpsess` and 10 digits derived from the token: the URL names its session without revealing it. */
  securityTokenOf(token: string): string {
    return securityToken(this.deps.hasher.digest(`cookie-session-url:${token}`));
  }

  /**
   * Whether `given` is the URL token of this session: derived under the current key, or under a
   * previous one (a session opened before a key rotation keeps its URL).
   */
  private securityTokenMatches(token: string, given: string): boolean {
    return this.deps.hasher.digests(`cookie-session-url:${token}`).some((digest) => securityToken(digest) === given);
  }

  private tokenHash(token: string): string {
    return this.deps.hasher.hash(`cookie-session:${token}`);
  }

  private expiryFrom(now: Date): Date {
    return new Date(now.getTime() + this.deps.idleSeconds * 1000);
  }
}

function invalid(detail: string): TesseraError {
  return new TesseraError('TOKEN_INVALID', { message: 'The session has ended or is not valid: log in again.', detail });
}

function securityToken(digest: string): string {
  const digits = (Buffer.from(digest, 'base64url').readBigUInt64BE(0) % 10_000_000_000n).toString().padStart(10, '0');
  return `cpsess${digits}`;
}
