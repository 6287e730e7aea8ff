import { type Core, TesseraError } from '@tessera/core';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  authenticateCookieSession,
  CPANEL_SESSION_COOKIE,
  cookieValue,
  securityTokenInPath,
} from '../http/authenticate.js';
import { rateLimitGroups } from '../http/rate-limit.js';
import { acceptFormBodies, cpanelParams, isRecord, textParam } from './cpanel-common.js';
import type { DialectApp, DialectErrorTable } from './dialect.js';
import { anonymousCaller, SESSION_PREFIX, SESSION_PREFIX_PARAM } from './dialect-auth.js';
import { installDialectErrors } from './dialect-errors.js';
import { WHM_ERRORS } from './whm/whm.errors.js';

/** A refused login: 401, cPanel's `{status: 0, message}`, and no session. */
const REFUSED = { status: 401 };

/**
 * Every core error as the login answers it: WHM's statuses, except that whatever refuses the
 * credentials (password, missing or wrong `tfa_token`, a locked second factor) is a refused
 * login, 401.
 */
const LOGIN_ERRORS: DialectErrorTable = {
  ...WHM_ERRORS,
  SECOND_FACTOR_REQUIRED: REFUSED,
  CODE_MALFORMED: REFUSED,
  CODE_INVALID: REFUSED,
  SECOND_FACTOR_LOCKED: REFUSED,
  SECOND_FACTOR_SUSPENDED: REFUSED,
  VALIDATION_FAILED: { status: 400 },
};

const LoginAnswer = Type.Object({
  status: Type.Union([Type.Literal(0), Type.Literal(1)]),
  security_token: Type.Optional(
    Type.String({ description: '`/cpsess` and 10 digits: the prefix of the session’s URLs' }),
  ),
  redirect: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});

/**
 * cPanel's login, in both of the forms its server answers. Form fields `user`, `pass` and, for
 * an account with an authenticator, `tfa_token`, in a form body on POST or on GET (the
 * `cpanel-api` npm client GETs `/login` with a form body); other fields may come in the query.
 * - `login_only=1` (query or form), as API clients send it: success sets the session cookie and
 *   answers 200 `{status: 1, security_token: "/cpsess0123456789", redirect}`.
 * - Without it, as a browser or a script that follows redirects logs in: success sets the cookie
 *   and answers 301 to `/cpsess0123456789/`, the session's home; the client takes the prefix
 *   from the URL it lands on (the body is the same JSON).
 * The WHM and UAPI functions are then served under that prefix with the cookie. Anything refused
 * answers 401 `{status: 0, message}`, no session. The core checks the password (throttled as
 * sign-in) and the code (single use, the lockout).
 *
 * Not served: a password in the query string (cPanel takes one there too). URLs end up in
 * access logs, proxies and browser history; Tessera refuses it (400) rather than let a
 * password reach them.
 */
export async function registerCpanelLogin(app: DialectApp, core: Core): Promise<void> {
  acceptFormBodies(app);
  installDialectErrors(app, LOGIN_ERRORS, (failure) => ({ status: 0, message: failure.message }));
  for (const url of ['/login/', '/login']) {
    app.route({
      method: ['GET', 'POST'],
      url,
      config: rateLimitGroups('sign_in'),
      schema: {
        ...(url === '/login/' ? { operationId: 'login' } : {}),
        summary: 'Starts a session: the cpsession cookie, and the /cpsess<10 digits> prefix of its URLs',
        tags: ['session'],
        security: [],
        response: { 200: LoginAnswer, 301: LoginAnswer, 400: LoginAnswer, 401: LoginAnswer, 429: LoginAnswer },
      },
      handler: async (request, reply) => {
        if (isRecord(request.query) && 'pass' in request.query) {
          throw new TesseraError('VALIDATION_FAILED', {
            message: 'Send the password in a form body, never in the URL.',
          });
        }
        const params = cpanelParams(request);
        const otp = textParam(params, 'tfa_token');
        const username = textParam(params, 'user') ?? '';
        const password = textParam(params, 'pass') ?? '';
        // No username or password holds a NUL (the schemas refuse one), and PostgreSQL cannot look one up.
        if (`${username}${password}`.includes('\u0000')) throw new TesseraError('INVALID_CREDENTIALS');
        const started = await core.cookieSessions.login(anonymousCaller(request), {
          username,
          password,
          ...(otp === undefined || otp === '' ? {} : { otp }),
        });
        reply.header('set-cookie', sessionCookie(started.token, request));
        const prefix = `/${started.securityToken}`;
        const answer = { status: 1 as const, security_token: prefix, redirect: `${prefix}/` };
        if (textParam(params, 'login_only') !== '1') reply.status(301).header('location', answer.redirect);
        return answer;
      },
    });
  }
}

const SessionHome = Type.Object({
  status: Type.Union([Type.Literal(0), Type.Literal(1)]),
  security_token: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});

/**
 * `/cpsess<10 digits>/`, where a browser-style login lands. cPanel shows its home page there;
 * Tessera has none, and answers whether the cookie's session is this prefix's: 200 `{status: 1,
 * security_token}`, or 401 `{status: 0, message}` (a script that follows the redirect without a
 * cookie jar only reads the prefix from the URL).
 */
export async function registerCpanelSessionHome(app: DialectApp, core: Core): Promise<void> {
  // Only `/cpsess<10 digits>/`: the parameter's pattern keeps every other `/<segment>/` path out.
  app.get(`/:${SESSION_PREFIX_PARAM}(^cpsess\\d{10}$)/`, {
    schema: {
      operationId: 'session_home',
      summary: 'Where a browser-style login lands: whether the cookie is this prefix’s session',
      tags: ['session'],
      security: [{ CpanelSession: [] }],
      response: { 200: SessionHome, 401: SessionHome },
    },
    handler: async (request) => {
      await authenticateCookieSession(core, request);
      return { status: 1 as const, security_token: `/${securityTokenInPath(request.url)}` };
    },
  });
}

const LogoutAnswer = Type.Object({
  status: Type.Literal(1),
  message: Type.String(),
});

/**
 * cPanel's `/logout` (also under the session's prefix, `/cpsess<10 digits>/logout`): ends the
 * session of the `cpsession` cookie in the store and clears the cookie. Tessera has no HTML pages
 * to redirect to, so it answers JSON as `/login/?login_only=1` does: `{status: 1, message}`,
 * whether or not a session was open (logging out twice is not an error, and the answer tells no
 * one whether a cookie was good). Under the prefix the cookie must be that prefix's session, or
 * nothing ends (the prefix is what a forged cross-site request cannot know).
 */
export async function registerCpanelLogout(app: DialectApp, core: Core): Promise<void> {
  for (const prefix of ['', SESSION_PREFIX]) {
    for (const path of ['/logout', '/logout/']) {
      app.route({
        method: ['GET', 'POST'],
        url: `${prefix}${path}`,
        schema: {
          ...(path === '/logout' ? { operationId: prefix === '' ? 'logout' : 'logout_in_session' } : {}),
          summary: 'Ends the cpsession cookie’s session and clears the cookie',
          tags: ['session'],
          security: [],
          response: { 200: LogoutAnswer },
        },
        handler: async (request, reply) => {
          const securityToken = prefix === '' ? undefined : securityTokenInPath(request.url);
          if (prefix !== '' && securityToken === undefined) throw new TesseraError('ROUTE_NOT_FOUND');
          const token = cookieValue(request.headers.cookie, CPANEL_SESSION_COOKIE);
          if (token !== undefined) await core.cookieSessions.logout(token, securityToken);
          reply.header('set-cookie', clearedCookie(request));
          return { status: 1 as const, message: 'You have been logged out.' };
        },
      });
    }
  }
}

/** A cookie that replaces the session's and expires at once, so the browser drops it. */
function clearedCookie(request: FastifyRequest): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${CPANEL_SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure}`;
}

/** The session's cookie: for this host's every path, out of scripts' reach, never sent cross-site. */
function sessionCookie(token: string, request: FastifyRequest): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${CPANEL_SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${secure}`;
}
