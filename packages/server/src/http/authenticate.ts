import type { Core, UserActor } from '@tessera/core';
import { TesseraError } from '@tessera/core';
import type { FastifyRequest } from 'fastify';

/**
 * The credentials an API shape can accept. Parsed here, once, for the native API and every
 * dialect; each route says which it takes.
 * - `bearer`: `Authorization: Bearer <JWT access token | tsa_… API token>`
 * - `jwt`: `Authorization: Bearer <JWT access token>` only; an API token is refused (Mudbase)
 * - `basic`: `Authorization: Basic base64(user:password)` (cPanel clients)
 * - `whm`: `Authorization: whm USER:TOKEN` (WHM API 1)
 * - `cpanel`: `Authorization: cpanel USER:TOKEN` (UAPI)
 */
export type AuthScheme = 'bearer' | 'jwt' | 'basic' | 'whm' | 'cpanel';

const API_TOKEN_PREFIX = 'tsa_';

const HINT: Record<AuthScheme, string> = {
  bearer: 'Bearer <token>',
  jwt: 'Bearer <access token from signing in>',
  basic: 'Basic <base64 of user:password>',
  whm: 'whm USER:TOKEN',
  cpanel: 'cpanel USER:TOKEN',
};

/**
 * The actor behind the request's `Authorization` header, in one of the accepted schemes.
 * Throws UNAUTHENTICATED when there is none (or it is of a scheme the route does not take), and
 * TOKEN_INVALID / INVALID_CREDENTIALS when it does not check out.
 */
export async function authenticate(
  core: Core,
  request: FastifyRequest,
  accepted: readonly AuthScheme[],
): Promise<UserActor> {
  const header = request.headers.authorization;
  const usage = `Use "Authorization: ${accepted.map((scheme) => HINT[scheme]).join('" or "')}".`;
  if (!header) throw new TesseraError('UNAUTHENTICATED', { message: `Authentication is required. ${usage}` });
  const match = /^(\S+) +(\S+)$/.exec(header.trim());
  const named = match?.[1]?.toLowerCase();
  const credentials = match?.[2];
  // One header scheme, two policies: `Bearer` is `bearer` where API tokens are welcome, `jwt` where not.
  const scheme = named === 'bearer' && !accepted.includes('bearer') ? 'jwt' : named;
  if (!scheme || !credentials || !isAccepted(scheme, accepted)) {
    throw new TesseraError('UNAUTHENTICATED', { message: usage });
  }
  const clientIp = request.ip;
  switch (scheme) {
    case 'bearer':
      return credentials.startsWith(API_TOKEN_PREFIX)
        ? core.apiTokens.authenticate(credentials, clientIp)
        : core.sessions.authenticate(credentials, clientIp);
    case 'jwt':
      if (credentials.startsWith(API_TOKEN_PREFIX)) {
        throw new TesseraError('UNAUTHENTICATED', { message: 'API keys are not accepted here: sign in for a JWT.' });
      }
      return core.sessions.authenticate(credentials, clientIp);
    case 'basic': {
      const decoded = Buffer.from(credentials, 'base64').toString('utf8');
      // No username or password holds a NUL (the schemas refuse one), and PostgreSQL cannot look one up.
      if (decoded.includes('\u0000')) throw new TesseraError('INVALID_CREDENTIALS');
      const { user, secret } = splitPair(decoded, usage);
      return core.accounts.authenticatePassword(user, secret, clientIp);
    }
    case 'whm':
    case 'cpanel': {
      const { user, secret } = splitPair(credentials, usage);
      return core.apiTokens.authenticate(secret, clientIp, { username: user });
    }
  }
}

function isAccepted(scheme: string, accepted: readonly AuthScheme[]): scheme is AuthScheme {
  return (accepted as readonly string[]).includes(scheme);
}

function splitPair(text: string, usage: string): { user: string; secret: string } {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new TesseraError('UNAUTHENTICATED', { message: usage });
  return { user: text.slice(0, colon), secret: text.slice(colon + 1) };
}
