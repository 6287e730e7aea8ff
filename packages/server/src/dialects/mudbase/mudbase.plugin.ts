import type { Core } from '@tessera/core';
import { codeProof, sessionClientOf } from '@tessera/core';
import { rateLimitGroups } from '../../http/rate-limit.js';
import type { Dialect, DialectApp } from '../dialect.js';
import { anonymousCaller, callerOf, requireCaller } from '../dialect-auth.js';
import { installDialectErrors } from '../dialect-errors.js';
import { MUDBASE_ERRORS } from './mudbase.errors.js';
import { loginBody, manualEntryKey, tokenFields } from './mudbase.mapping.js';
import {
  MudbaseDisableBody,
  MudbaseError,
  MudbaseLoginBody,
  MudbaseLoginResponse,
  MudbaseMessage,
  MudbaseRefreshBody,
  MudbaseRefreshResponse,
  MudbaseSetupResponse,
  MudbaseVerifyBody,
} from './mudbase.schemas.js';

const SECURITY = [{ BearerToken: [] }];

const REFUSED_CODE = { status: 401, vendorCode: 'INVALID_2FA_TOKEN' };
/** A login's `totpToken` refused, for whatever reason: 401, as the vendor answers a failed login. */
const LOGIN_CODE_REFUSED = {
  CODE_INVALID: REFUSED_CODE,
  CODE_MALFORMED: REFUSED_CODE,
  CODE_EXPIRED: REFUSED_CODE,
  CODE_ATTEMPTS_EXHAUSTED: REFUSED_CODE,
};

function errors(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, MudbaseError]));
}

/** Sign-in and token refresh: no credentials needed. */
async function registerAuth(app: DialectApp, core: Core): Promise<void> {
  app.post(
    '/api/auth/login',
    {
      // A password and, for an account with 2FA, a code: both budgets. The vendor documents 200
      // and 401 only, and its clients branch on 401: a wrong, replayed or malformed code refuses
      // the login as a wrong password does.
      config: { ...rateLimitGroups('sign_in', 'verify'), errorOverrides: LOGIN_CODE_REFUSED },
      schema: {
        operationId: 'login',
        summary: 'Sign in with e-mail and password (and, for an account with 2FA, its code in totpToken)',
        description:
          'Departures: Mudbase documents no login step; an account with 2FA sends its code (or a backup code) in ' +
          '`totpToken`, and without it gets 401 TWO_FACTOR_REQUIRED. A wrong, replayed or malformed code is 401 ' +
          'INVALID_2FA_TOKEN (the vendor documents 200 and 401 only). `user` is the vendor’s User: `_id`, `email`, ' +
          '`role` (Tessera’s admin is `admin`, its user `member`), `twoFactorEnabled`, `createdAt`.',
        tags: ['auth'],
        body: MudbaseLoginBody,
        response: { 200: MudbaseLoginResponse, ...errors(400, 401, 429) },
        'x-examples': {
          request: { email: 'alice@example.com', password: 'correct horse battery', totpToken: '123456' },
          responses: {
            200: {
              message: 'Login successful',
              token: 'eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9…',
              refreshToken: 'tsr_9c1e…',
              expiresIn: 900,
              user: {
                _id: '0193a8e0-5b1c-7c3e-9d2f-4a6b8c0d1e2f',
                email: 'alice@example.com',
                role: 'member',
                twoFactorEnabled: true,
                createdAt: '2026-12-01T09:00:00.000Z',
              },
            },
            400: {
              ...(mudbaseErrorExample(400) as object),
              code: 'VALIDATION_ERROR',
              details: { field: 'body.password' },
              path: '/api/auth/login',
            },
            401: { ...(mudbaseErrorExample(401) as object), code: 'INVALID_2FA_TOKEN', path: '/api/auth/login' },
          },
        },
      },
    },
    async (request) => {
      const { email, password, totpToken } = request.body;
      return loginBody(await core.signIn.signInWithCode(anonymousCaller(request), email, password, totpToken));
    },
  );

  app.post(
    '/api/auth/refresh',
    {
      schema: {
        operationId: 'refresh',
        summary: 'Exchange a refresh token for a new pair (rotating: a reused one revokes its family)',
        description:
          'As the vendor documents: the previous refresh token is invalidated, and using it again revokes the ' +
          'whole family (401 INVALID_REFRESH_TOKEN). Errors carry the full Error shape (the vendor’s `error` included).',
        tags: ['auth'],
        body: MudbaseRefreshBody,
        response: { 200: MudbaseRefreshResponse, ...errors(400, 401) },
        'x-examples': {
          request: { refreshToken: 'tsr_9c1e…' },
          responses: {
            200: {
              message: 'Token refreshed successfully',
              token: 'eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9…',
              refreshToken: 'tsr_4f2a…',
              expiresIn: 900,
            },
            401: { ...(mudbaseErrorExample(401) as object), code: 'INVALID_REFRESH_TOKEN', path: '/api/auth/refresh' },
          },
        },
      },
    },
    async (request) => {
      const tokens = await core.sessions.refresh(
        request.body.refreshToken,
        async (userId) => (await core.accounts.get(userId)).role,
        sessionClientOf(anonymousCaller(request)),
      );
      return { message: 'Token refreshed successfully', ...tokenFields(tokens) };
    },
  );
}

/** The 2FA routes: a JWT only, as Mudbase requires; an API key is refused. */
async function registerTwoFactor(app: DialectApp, core: Core): Promise<void> {
  requireCaller(app, core, ['jwt']);

  app.post(
    '/api/users/2fa/setup',
    {
      schema: {
        operationId: 'setup2FA',
        summary: 'Initiate two-factor authentication setup (secret, QR code, backup codes)',
        description:
          'A new authenticator key, pending until verify confirms it, with its QR code (a PNG data URL of the ' +
          'otpauth URI), the key in groups of four, and ten backup codes usable once the key is confirmed. No body: ' +
          'an empty one is accepted whatever Content-Type it declares (generated SDKs send one). API keys are refused.',
        tags: ['users'],
        security: SECURITY,
        response: { 200: MudbaseSetupResponse, ...errors(400, 401, 403, 429) },
        'x-examples': {
          responses: {
            200: {
              secret: 'QLLIU5WTY3UTJGNG5QNMHRLFNNCGTSMZ',
              qrCode: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAA…',
              manualEntryKey: 'QLLI U5WT Y3UT JGNG 5QNM HRLF NNCG TSMZ',
              backupCodes: ['12345678', '87654321'],
            },
          },
        },
      },
    },
    async (request) => {
      const started = await core.enable.start(callerOf(request), { method: 'totp', withBackupCodes: true });
      // A TOTP enrollment always shows its key, and backup codes were asked for.
      const totp = started.totp!;
      return {
        secret: totp.secret,
        qrCode: totp.qrPngDataUrl,
        manualEntryKey: manualEntryKey(totp.secret),
        backupCodes: started.backupCodes?.codes ?? [],
      };
    },
  );

  app.post(
    '/api/users/2fa/verify',
    {
      config: rateLimitGroups('verify'),
      schema: {
        operationId: 'verify2FA',
        summary: 'Verify the code from the authenticator and enable 2FA',
        description:
          'Confirms the key of setup with a current code; the backup codes become usable with it. A wrong, ' +
          'replayed or malformed code is 400 INVALID_2FA_TOKEN, no setup 400 TWO_FACTOR_NOT_SET_UP.',
        tags: ['users'],
        security: SECURITY,
        body: MudbaseVerifyBody,
        response: { 200: MudbaseMessage, ...errors(400, 401, 403, 429) },
        'x-examples': { request: { token: '123456' }, responses: { 200: { message: '2FA enabled successfully' } } },
      },
    },
    async (request) => {
      await core.enable.confirmPending(callerOf(request), 'totp', codeProof(request.body.token));
      return { message: '2FA enabled successfully' };
    },
  );

  app.post(
    '/api/users/2fa/disable',
    {
      // A wrong password here is a bad request about this form, not a failed sign-in.
      config: {
        ...rateLimitGroups('verify'),
        errorOverrides: { INVALID_CREDENTIALS: { status: 400, vendorCode: 'INVALID_PASSWORD' } },
      },
      schema: {
        operationId: 'disable2FA',
        summary: 'Disable 2FA with the current password and a code',
        description:
          'Turns the authenticator off (and the backup codes with the last factor). A wrong password is 400 ' +
          'INVALID_PASSWORD, a wrong code 400 INVALID_2FA_TOKEN; wrong codes count toward the lockout (429).',
        tags: ['users'],
        security: SECURITY,
        body: MudbaseDisableBody,
        response: { 200: MudbaseMessage, ...errors(400, 401, 403, 429) },
        'x-examples': {
          request: { password: 'correct horse battery', token: '123456' },
          responses: { 200: { message: '2FA disabled successfully' } },
        },
      },
    },
    async (request) => {
      const { password, token } = request.body;
      await core.disable.disableNow(callerOf(request), {
        method: 'totp',
        password,
        proof: { proof: codeProof(token) },
      });
      return { message: '2FA disabled successfully' };
    },
  );
}

async function register(app: DialectApp, core: Core): Promise<void> {
  app.decorateRequest('actor', null);
  installDialectErrors(app, MUDBASE_ERRORS, (failure, request) => ({
    error: failure.message,
    code: failure.vendorCode ?? failure.code,
    // The vendor's `details` is a string or an object, never null: absent when there is nothing to say.
    ...(failure.field === undefined ? {} : { details: { field: failure.field } }),
    timestamp: new Date().toISOString(),
    path: request.url.split('?')[0] ?? request.url,
    requestId: String(request.id),
    ...(failure.retryAfterSeconds === undefined ? {} : { retryAfter: failure.retryAfterSeconds }),
  }));
  await app.register(async (auth) => registerAuth(auth.withTypeProvider(), core));
  await app.register(async (twoFactor) => registerTwoFactor(twoFactor.withTypeProvider(), core));
}

/** What each error status of this dialect says, for its document's examples, in Mudbase's shape. */
const MUDBASE_ERROR_EXAMPLES: Record<number, { error: string; code: string }> = {
  400: { error: 'The code is not valid.', code: 'INVALID_2FA_TOKEN' },
  401: { error: 'Authentication is required.', code: 'UNAUTHORIZED' },
  403: { error: 'This is not allowed.', code: 'FORBIDDEN' },
  429: { error: 'Too many wrong codes: try again later.', code: 'RATE_LIMITED' },
};

function mudbaseErrorExample(status: number): unknown {
  const example = MUDBASE_ERROR_EXAMPLES[status];
  if (!example) return undefined;
  return {
    ...example,
    timestamp: '2026-12-04T10:00:00.000Z',
    path: '/api/users/2fa/verify',
    requestId: 'req-1',
    ...(status === 429 ? { retryAfter: 600 } : {}),
  };
}

export const mudbaseDialect: Dialect = {
  name: 'mudbase',
  title: 'Tessera: Mudbase dialect',
  description:
    "Mudbase's 2FA API (`/api/users/2fa/*`, with `/api/auth/login` and `/api/auth/refresh`) served by Tessera. " +
    'The 2FA routes take a JWT only. Errors: `{error, code, details, timestamp, path, requestId}`.',
  securitySchemes: { BearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
  prefixes: ['/api/auth', '/api/users'],
  errorExample: mudbaseErrorExample,
  register,
};
