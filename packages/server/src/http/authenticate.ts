import type { Core, UserActor } from '@tessera/core';
import { TesseraError } from '@tessera/core';
import type { FastifyRequest } from 'fastify';

/**
 * The credentials an API shape can accept. Parsed here, once, for the native API and every
 * dialect; each route says which it takes.
 * - `bearer`: `Authorization: Bearer <JWT access token | tsa_… API token>`
 * - `jwt`: `Authorization: Bearer <JWT access token>` only; an API token is refused (Mudbase)
 * - `basic`: `Authorization: Basic base64(user:password)` (cPanel clients); an account with an
 *   authenticator (TOTP) adds its current code in `X-CPANEL-OTP`, as cPanel asks
 * - `whm`: `Authorization: whm USER:TOKEN` (WHM API 1)
 * - `cpanel`: `Authorization: cpanel USER:TOKEN` (UAPI)
 * - `twilio`: `Authorization: Basic base64(SID:TOKEN)` (Twilio's SDKs): the account SID (`AC` and
 *   the owner's id in hex) or the API key SID (`SK` and the token's id in hex), and an API token
 */
export type AuthScheme = 'bearer' | 'jwt' | 'basic' | 'whm' | 'cpanel' | 'twilio';

const API_TOKEN_PREFIX = 'tsa_';

const HINT: Record<AuthScheme, string> = {
  bearer: 'Bearer <token>',
  jwt: 'Bearer <access token from signing in>',
  basic: 'Basic <base64 of user:password>',
  whm: 'whm USER:TOKEN',
  cpanel: 'cpanel USER:TOKEN',
  twilio: 'Basic <base64 of ACCOUNT_SID:AUTH_TOKEN or API_KEY_SID:API_KEY_SECRET>',
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
  const scheme =
    named === 'bearer' && !accepted.includes('bearer')
      ? 'jwt'
      : named === 'basic' && accepted.includes('twilio')
        ? 'twilio'
        : named;
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
      return passwordWithOtp(core, user, secret, clientIp, request.headers[OTP_HEADER]);
    }
    case 'twilio': {
      const { user, secret } = splitPair(Buffer.from(credentials, 'base64').toString('utf8'), usage);
      const sid = /^(AC|SK)([0-9a-f]{32})$/.exec(user);
      if (!sid?.[1] || !sid[2])
        throw new TesseraError('TOKEN_INVALID', { message: 'The SID is not an AC… or SK… SID.' });
      const id = uuidOfHex(sid[2]);
      return core.apiTokens.authenticate(secret, clientIp, sid[1] === 'AC' ? { userId: id } : { tokenId: id });
    }
    case 'whm':
    case 'cpanel': {
      const { user, secret } = splitPair(credentials, usage);
      return core.apiTokens.authenticate(secret, clientIp, { username: user });
    }
  }
}

/** cPanel's header for the authenticator code that goes with a password. */
const OTP_HEADER = 'x-cpanel-otp';

/**
 * The code's refusals, which refuse the credentials as a whole: HTTP 403 (SECOND_FACTOR_REQUIRED)
 * with a reason that names the header, whatever the code's fault (missing, malformed, wrong,
 * already used, or the account's lockout).
 */
const OTP_REFUSALS = new Set<string>([
  'SECOND_FACTOR_REQUIRED',
  'CODE_MALFORMED',
  'CODE_INVALID',
  'SECOND_FACTOR_LOCKED',
  'SECOND_FACTOR_SUSPENDED',
]);

async function passwordWithOtp(
  core: Core,
  user: string,
  password: string,
  clientIp: string,
  header: string | string[] | undefined,
): Promise<UserActor> {
  const otp = (Array.isArray(header) ? header[0] : header)?.trim();
  try {
    return await core.accounts.authenticatePassword(user, password, clientIp, otp);
  } catch (error) {
    if (!(error instanceof TesseraError) || !OTP_REFUSALS.has(error.code)) throw error;
    if (error.code === 'SECOND_FACTOR_REQUIRED') {
      // No code sent, or an account without an authenticator: the core's reason says which.
      const hint = error.meta.method === 'totp' ? ' Send it in the X-CPANEL-OTP header, or use an API token.' : '';
      throw new TesseraError('SECOND_FACTOR_REQUIRED', { message: `${error.message}${hint}`, cause: error });
    }
    throw new TesseraError('SECOND_FACTOR_REQUIRED', {
      message: `X-CPANEL-OTP refused: ${error.message}`,
      meta: error.meta,
      cause: error,
    });
  }
}

/** The cookie that holds a cPanel `/login` session's token. */
export const CPANEL_SESSION_COOKIE = 'cpsession';

/** `/cpsess<10 digits>/…`: the security token at the start of a cPanel session's URLs. */
export function securityTokenInPath(url: string): string | undefined {
  return /^\/(cpsess\d{10})(?:[/?]|$)/.exec(url)?.[1];
}

/**
 * The actor of a call under a cPanel session's prefix (`/cpsess<10 digits>/…`): the session's
 * cookie, which must belong to that security token. The Authorization header plays no part
 * here; a cookie without the prefix authenticates nothing (the prefix is what a forged
 * cross-site request cannot know).
 */
export async function authenticateCookieSession(core: Core, request: FastifyRequest): Promise<UserActor> {
  const securityToken = securityTokenInPath(request.url);
  if (!securityToken) throw new TesseraError('ROUTE_NOT_FOUND');
  const token = cookieValue(request.headers.cookie, CPANEL_SESSION_COOKIE);
  if (!token) {
    throw new TesseraError('UNAUTHENTICATED', {
      message: `The session cookie (${CPANEL_SESSION_COOKIE}) is missing: log in with POST /login/?login_only=1.`,
    });
  }
  return core.cookieSessions.authenticate(token, securityToken, request.ip);
}

/** One cookie's value from a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const equals = pair.indexOf('=');
    if (equals > 0 && pair.slice(0, equals).trim() === name) return pair.slice(equals + 1).trim() || undefined;
  }
  return undefined;
}

/** A UUID from its 32 hex digits (how Twilio-style SIDs carry Tessera's ids). */
export function uuidOfHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function isAccepted(scheme: string, accepted: readonly AuthScheme[]): scheme is AuthScheme {
  return (accepted as readonly string[]).includes(scheme);
}

function splitPair(text: string, usage: string): { user: string; secret: string } {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new TesseraError('UNAUTHENTICATED', { message: usage });
  return { user: text.slice(0, colon), secret: text.slice(colon + 1) };
}
