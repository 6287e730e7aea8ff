import type { ApiTokenService } from '../api-tokens/api-token-service.js';
import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import { isTesseraError } from '../errors/tessera-error.js';
import type { UserRepository } from '../storage/repositories.js';
import type { SessionService } from './session-service.js';

/** RFC 7662 §2.2: `active`, and for an active token what a resource server needs to know. */
export type Introspection =
  | { active: false }
  | {
      active: true;
      token_type: 'access_token' | 'api_token';
      /** The account's id. */
      sub: string;
      username: string;
      /** `read` or `write` for an API token; an access token acts fully as its user. */
      scope: 'read' | 'write';
      role: 'user' | 'admin';
      /** Access tokens only: seconds since the epoch. */
      iat?: number;
      exp?: number;
    };

/**
 * Tells a platform whether a token Tessera issued is live now (RFC 7662): signature, expiry,
 * revocation (a signed-out session, a revoked API token) all checked, as on a request. Anything
 * wrong is just `active: false`: which check failed is none of the caller's business.
 */
export class TokenIntrospection {
  constructor(
    private readonly deps: {
      sessions: SessionService;
      apiTokens: ApiTokenService;
      users: UserRepository;
      authorizer: Authorizer;
    },
  ) {}

  async introspect(actor: Actor, token: string): Promise<Introspection> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    try {
      if (token.startsWith('tsa_')) {
        const owner = await this.deps.apiTokens.authenticate(token, null);
        const user = await this.deps.users.findById(owner.userId);
        if (!user || owner.authentication.method !== 'api_token') return { active: false };
        return {
          active: true,
          token_type: 'api_token',
          sub: user.id,
          username: user.username,
          scope: owner.authentication.scope,
          role: user.role,
        };
      }
      const claims = await this.deps.sessions.verifyAccessToken(token);
      const user = await this.deps.users.findById(claims.userId);
      if (!user || user.disabledAt !== null) return { active: false };
      return {
        active: true,
        token_type: 'access_token',
        sub: user.id,
        username: user.username,
        scope: 'write',
        role: user.role,
        iat: claims.issuedAt,
        exp: claims.expiresAt,
      };
    } catch (error) {
      if (isTesseraError(error) && (error.code === 'TOKEN_INVALID' || error.code === 'ACCOUNT_DISABLED')) {
        return { active: false };
      }
      throw error;
    }
  }
}
