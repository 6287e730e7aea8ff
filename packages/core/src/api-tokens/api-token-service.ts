import { assertEnabled } from '../accounts/account-service.js';
import { auditContextOf } from '../audit/audit-context.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { type Actor, type ApiTokenScope, SYSTEM_ACTOR, type UserActor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import { BoundedCache } from '../cache/bounded-cache.js';
import type { Clock } from '../clock.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import { newId, newOpaqueToken } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { ApiTokenRecord } from '../storage/records.js';
import type { ApiTokenRepository, SessionRepository } from '../storage/repositories.js';

/** How precisely lastUsedAt is kept. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * How long a token's owner is remembered: every server-to-server call presents its token, and
 * the lookup is one of the hot path's reads. A revocation (or the owner's removal or change of
 * role) made in another process takes effect within this time; one made here at once.
 */
export const API_TOKEN_CACHE_MS = 5_000;
const API_TOKEN_CACHE_ENTRIES = 10_000;

type FoundToken = NonNullable<Awaited<ReturnType<ApiTokenRepository['findWithOwnerByHash']>>>;

export interface ApiTokenView {
  id: string;
  name: string;
  scope: ApiTokenScope;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function toApiTokenView(token: ApiTokenRecord): ApiTokenView {
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

/**
 * API tokens for server-to-server calls. The token is shown once; only its keyed hash is kept,
 * so it is found by an index lookup on the hash and a database copy cannot be used to forge one.
 * A token acts as its user, and an admin's token acts as admin.
 */
export class ApiTokenService {
  /** Keyed by the token's keyed hash, never by the token itself. */
  private readonly recent = new BoundedCache<FoundToken>(API_TOKEN_CACHE_ENTRIES);

  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly hasher: KeyedHasher,
    private readonly clock: Clock,
    private readonly authorizer: Authorizer,
    private readonly sessions: Pick<SessionRepository, 'findFamily'>,
    /** Where tokens made, first used and revoked are recorded. */
    private readonly audit?: AuditTrail,
  ) {}

  async create(
    actor: Actor,
    input: { name: string; scope?: ApiTokenScope },
  ): Promise<{ token: string; view: ApiTokenView }> {
    const userId = await this.authorizer.own(actor, 'own.create_api_token');
    return this.issue(userId, input.name, input.scope ?? 'write', await this.madeByPasswordAlone(actor), actor);
  }

  /**
   * Whether the caller proved only a password: a session whose sign-in passed no second factor,
   * a password sent with the request, or a token that was itself made so. A token made then is
   * held to the 2FA policy (see isHeldToTwoFactorPolicy).
   */
  private async madeByPasswordAlone(actor: Actor): Promise<boolean> {
    if (actor.kind !== 'user') return false;
    const auth = actor.authentication;
    if (auth.method === 'password') return true;
    if (auth.method === 'api_token') return auth.passwordOnly === true;
    const family = await this.sessions.findFamily(auth.sessionId);
    return family?.secondFactor !== true;
  }

  /**
   * A token for a user named by the operator at the command line (server-to-server: the 2FA
   * policy does not apply to it), or made by `create`.
   */
  async issue(
    userId: string,
    name: string,
    scope: ApiTokenScope,
    passwordOnly = false,
    actor: Actor = SYSTEM_ACTOR,
  ): Promise<{ token: string; view: ApiTokenView }> {
    const token = newOpaqueToken('tsa');
    const record: ApiTokenRecord = {
      id: newId(),
      userId,
      name,
      scope,
      tokenHash: this.hasher.hash(token),
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
      passwordOnly,
    };
    await this.tokens.insert(record);
    await this.audit?.record(
      { action: 'api_token.created', userId, details: { tokenId: record.id, scope } },
      auditContextOf(actor),
    );
    return { token, view: toApiTokenView(record) };
  }

  /** The actor a presented token stands for. */
  async authenticate(
    token: string,
    clientIp: string | null,
    /**
     * What the credentials name beside the token, which must match it: cPanel's `USER:TOKEN` the
     * owner's username; Twilio's account SID the owner's id, its API key SID the token's own id.
     */
    expected: { username?: string; userId?: string; tokenId?: string } = {},
  ): Promise<UserActor> {
    const found = await this.find(token);
    if (!found) throw new TesseraError('TOKEN_INVALID');
    if (
      (expected.username !== undefined && found.owner.username !== expected.username) ||
      (expected.userId !== undefined && found.owner.id !== expected.userId) ||
      (expected.tokenId !== undefined && found.tokenId !== expected.tokenId)
    ) {
      throw new TesseraError('TOKEN_INVALID');
    }
    // The token stays (enabling the account again brings it back); it opens nothing meanwhile.
    assertEnabled(found.owner);
    this.noteUse(found, clientIp);
    return {
      kind: 'user',
      userId: found.owner.id,
      role: found.owner.role,
      authentication: {
        method: 'api_token',
        tokenId: found.tokenId,
        scope: found.scope,
        ...(found.passwordOnly ? { passwordOnly: true } : {}),
      },
      clientIp,
    };
  }

  /**
   * Keeps lastUsedAt to the minute without a write on every request: only a token last used a
   * minute ago or more is written, and the request does not wait for it (a lost update only
   * makes the time a minute older).
   */
  private noteUse(found: FoundToken, clientIp: string | null): void {
    const now = this.clock.now();
    // Its first use ever is an audit event (a token that leaked is often first used elsewhere);
    // like the time of use, recorded without holding the request.
    if (found.lastUsedAt === null) {
      this.audit
        ?.record(
          { action: 'api_token.first_used', userId: found.owner.id, details: { tokenId: found.tokenId } },
          { actorKind: 'user', actorId: found.owner.id, clientIp },
        )
        .catch(() => undefined);
    }
    const since = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    if (found.lastUsedAt !== null && found.lastUsedAt >= since) return;
    // The remembered entry is updated too, so that it does not ask for the write again.
    found.lastUsedAt = now;
    this.tokens.recordUse(found.tokenId, now, since).catch(() => undefined);
  }

  /** The token and its owner: remembered for API_TOKEN_CACHE_MS (a miss is not remembered). */
  private async find(token: string): Promise<FoundToken | undefined> {
    const tokenHash = this.hasher.hash(token);
    const now = this.clock.now().getTime();
    const remembered = this.recent.get(tokenHash, now);
    if (remembered) return remembered;
    const found = (await this.tokens.findWithOwnerByHash(tokenHash)) ?? (await this.findUnderOldKey(token, tokenHash));
    if (found) this.recent.set(tokenHash, found, now + API_TOKEN_CACHE_MS);
    return found;
  }

  /**
   * A token hashed under a previous secret key (or before hashes were tagged) is found by its
   * old hash and re-hashed under the current key on this use, so the old key stops being needed
   * for it. The re-hash is a compare-and-set: a concurrent use that re-hashed it first wins.
   */
  private async findUnderOldKey(token: string, currentHash: string): Promise<FoundToken | undefined> {
    for (const hash of this.hasher.fallbacks(token)) {
      const found = await this.tokens.findWithOwnerByHash(hash);
      if (!found) continue;
      await this.tokens.replaceHash(found.tokenId, hash, currentHash);
      return found;
    }
    return undefined;
  }

  async list(actor: Actor): Promise<ApiTokenView[]> {
    const userId = await this.authorizer.own(actor, 'own.read');
    return (await this.tokens.listByUser(userId)).map(toApiTokenView);
  }

  async revoke(actor: Actor, tokenId: string): Promise<void> {
    const userId = await this.authorizer.own(actor, 'own.manage');
    if (!(await this.tokens.revoke(tokenId, userId, this.clock.now()))) throw new TesseraError('API_TOKEN_NOT_FOUND');
    this.recent.deleteWhere((found) => found.tokenId === tokenId);
    await this.recordRevoked(actor, userId, tokenId);
  }

  /** Another user's tokens, for an admin or the operator (`tessera tokens list`). */
  async listFor(actor: Actor, userId: string): Promise<ApiTokenView[]> {
    await this.authorizer.admin(actor, 'admin.read');
    return (await this.tokens.listByUser(userId)).map(toApiTokenView);
  }

  /** Revokes one of another user's tokens (`tessera tokens revoke`); effective at once here. */
  async revokeFor(actor: Actor, userId: string, tokenId: string): Promise<void> {
    await this.authorizer.admin(actor, 'admin.manage');
    if (!(await this.tokens.revoke(tokenId, userId, this.clock.now()))) throw new TesseraError('API_TOKEN_NOT_FOUND');
    this.recent.deleteWhere((found) => found.tokenId === tokenId);
    await this.recordRevoked(actor, userId, tokenId);
  }

  private async recordRevoked(actor: Actor, userId: string, tokenId: string): Promise<void> {
    await this.audit?.record({ action: 'api_token.revoked', userId, details: { tokenId } }, auditContextOf(actor));
  }

  /**
   * Forgets the remembered owner of every token of a user whose account changed (disabled,
   * enabled or deleted), so that this process sees the change at once; other processes within
   * the cache time.
   */
  forgetOwner(userId: string): void {
    this.recent.deleteWhere((found) => found.owner.id === userId);
  }
}
