import { type JWTHeaderParameters, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { Actor, UserActor } from '../auth/actor.js';
import { BoundedCache } from '../cache/bounded-cache.js';
import type { Clock } from '../clock.js';
import { findByKeyedHash, type KeyedHasher } from '../crypto/keyed-hash.js';
import { newId, newOpaqueToken } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { Role, UserRecord } from '../storage/records.js';
import type { SessionRepository } from '../storage/repositories.js';
import { SIGNING_ALGORITHM, type SigningKeys } from './signing-keys.js';

const ISSUER = 'tessera';
const AUDIENCE = 'tessera-api';
/** Pinned: a token naming any other algorithm (or `none`) is refused by jwtVerify. */
const ALGORITHM = SIGNING_ALGORITHM;
export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_SECONDS = 30 * 24 * 3600;

/**
 * Access tokens whose signature and claims were checked, until they expire: an Ed25519
 * signature costs more to check (about 150 µs) than the rest of a verify request. A token's
 * key keeps verifying until the token has expired (a retired key is kept that long), so the
 * remembered answer stays true; whether the session was signed out is still asked every time.
 */
const CHECKED_TOKENS = 10_000;

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** Where a sign-in or refresh came from, kept with the session for its owner to see. */
export interface SessionClient {
  clientIp: string | null;
  userAgent: string | null;
}

/** Long enough for any real browser's; a longer header is cut, not refused. */
const USER_AGENT_MAX_LENGTH = 256;

/** The client of a request made by `actor` (an address, and for someone signing in a User-Agent). */
export function sessionClientOf(actor: Actor): SessionClient {
  if (actor.kind === 'system') return { clientIp: null, userAgent: null };
  const userAgent = actor.kind === 'anonymous' ? actor.userAgent : undefined;
  return { clientIp: actor.clientIp, userAgent: userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null };
}

export interface AccessClaims {
  userId: string;
  role: Role;
  sessionId: string;
  /** Seconds since the epoch: when the token was issued and when it expires. */
  issuedAt: number;
  expiresAt: number;
}

/**
 * Access tokens are short-lived JWTs; refresh tokens are opaque, stored as keyed hashes, and
 * rotate on every use. Each sign-in starts a family; presenting an already rotated refresh
 * token means two parties hold it, so the whole family is revoked (OAuth 2.0 Security BCP §4.14).
 */
export class SessionService {
  private readonly checked = new BoundedCache<AccessClaims>(CHECKED_TOKENS);

  constructor(
    private readonly sessions: SessionRepository,
    private readonly hasher: KeyedHasher,
    private readonly clock: Clock,
    private readonly signingKeys: SigningKeys,
  ) {}

  /** The public keys that verify access tokens (`/.well-known/jwks.json`). */
  async jwks(): Promise<Awaited<ReturnType<SigningKeys['jwks']>>> {
    return this.signingKeys.jwks();
  }

  /**
   * `secondFactor`: the sign-in passed one (or a remembered device standing for one). A session
   * that did not makes API tokens that stay under the 2FA policy. `amr` (RFC 8176), when the
   * sign-in says how it was made: it is kept with the session, and every access token of the
   * session carries it, refreshed ones too (a passkey sign-in with user verification is `hwk` and
   * `mfa`).
   */
  async start(
    user: UserRecord,
    client: SessionClient = { clientIp: null, userAgent: null },
    proof: { secondFactor: boolean; amr?: readonly string[] } = { secondFactor: false },
  ): Promise<TokenPair> {
    const now = this.clock.now();
    const familyId = newId();
    await this.sessions.createFamily({
      id: familyId,
      userId: user.id,
      createdAt: now,
      revokedAt: null,
      lastUsedAt: now,
      ...client,
      secondFactor: proof.secondFactor,
      ...(proof.amr?.length ? { amr: proof.amr } : {}),
    });
    return this.issue(user.id, user.role, familyId, now, proof.amr);
  }

  async refresh(
    refreshToken: string,
    loadRole: (userId: string) => Promise<Role>,
    client?: SessionClient,
  ): Promise<TokenPair> {
    const now = this.clock.now();
    // A token hashed under a previous secret key still refreshes (and is replaced by one hashed
    // under the current key, as every refresh replaces it).
    const stored = (
      await findByKeyedHash(this.hasher, refreshToken, (hash) => this.sessions.findRefreshTokenByHash(hash))
    )?.found;
    if (!stored) throw new TesseraError('REFRESH_TOKEN_INVALID');
    const family = await this.sessions.findFamily(stored.familyId);
    if (!family || family.revokedAt !== null || stored.expiresAt <= now) {
      throw new TesseraError('REFRESH_TOKEN_INVALID');
    }
    if (!(await this.sessions.markRotated(stored.id, now))) {
      await this.sessions.revokeFamily(stored.familyId, now);
      throw new TesseraError('REFRESH_TOKEN_REUSED');
    }
    if (client) await this.sessions.recordUse(stored.familyId, now, client);
    return this.issue(stored.userId, await loadRole(stored.userId), stored.familyId, now, family.amr);
  }

  /** Ends the session the actor signed in with; other credentials have no session to end. */
  async signOut(actor: Actor): Promise<void> {
    if (actor.kind !== 'user' || actor.authentication.method !== 'session') return;
    await this.sessions.revokeFamily(actor.authentication.sessionId, this.clock.now());
  }

  /** The actor an access token stands for. */
  async authenticate(token: string, clientIp: string | null): Promise<UserActor> {
    const claims = await this.verifyAccessToken(token);
    return {
      kind: 'user',
      userId: claims.userId,
      role: claims.role,
      authentication: { method: 'session', sessionId: claims.sessionId },
      clientIp,
    };
  }

  /** Checks signature, issuer, audience, expiry and that the session was not signed out. */
  async verifyAccessToken(token: string): Promise<AccessClaims> {
    const now = this.clock.now().getTime();
    const claims = this.checked.get(token, now) ?? (await this.checkSignedClaims(token));
    const family = await this.sessions.findFamily(claims.sessionId);
    if (!family || family.revokedAt !== null) throw new TesseraError('TOKEN_INVALID', { detail: 'signed out' });
    return claims;
  }

  /** Signature, issuer, audience and expiry; remembered until the token expires. */
  private async checkSignedClaims(token: string): Promise<AccessClaims> {
    let payload: Record<string, unknown>;
    try {
      const keyOf = async (header: JWTHeaderParameters) => {
        const key = await this.signingKeys.publicKey(header.kid);
        if (!key) throw new joseErrors.JWKSNoMatchingKey();
        return key;
      };
      ({ payload } = await jwtVerify(token, keyOf, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [ALGORITHM],
        // jwtVerify checks exp only when present; a token without one would never expire.
        requiredClaims: ['exp'],
        currentDate: this.clock.now(),
      }));
    } catch (cause) {
      if (cause instanceof joseErrors.JOSEError) throw new TesseraError('TOKEN_INVALID', { detail: cause.code });
      throw cause;
    }
    const { sub, sid, role, iat, exp } = payload;
    if (typeof sub !== 'string' || typeof sid !== 'string' || (role !== 'user' && role !== 'admin')) {
      throw new TesseraError('TOKEN_INVALID', { detail: 'claims missing' });
    }
    const claims: AccessClaims = {
      userId: sub,
      role,
      sessionId: sid,
      issuedAt: typeof iat === 'number' ? iat : 0,
      expiresAt: typeof exp === 'number' ? exp : 0,
    };
    this.checked.set(token, claims, claims.expiresAt * 1000);
    return claims;
  }

  private async issue(
    userId: string,
    role: Role,
    familyId: string,
    now: Date,
    amr?: readonly string[],
  ): Promise<TokenPair> {
    const refreshToken = newOpaqueToken('tsr');
    await this.sessions.insertRefreshToken({
      id: newId(),
      familyId,
      userId,
      tokenHash: this.hasher.hash(refreshToken),
      createdAt: now,
      expiresAt: new Date(now.getTime() + REFRESH_TOKEN_SECONDS * 1000),
      rotatedAt: null,
    });
    const issuedAt = Math.floor(now.getTime() / 1000);
    const signing = await this.signingKeys.current();
    const accessToken = await new SignJWT({ role, sid: familyId, ...(amr ? { amr: [...amr] } : {}) })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: signing.kid })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ACCESS_TOKEN_SECONDS)
      .setJti(newId())
      .sign(signing.privateKey);
    return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: ACCESS_TOKEN_SECONDS };
  }
}
