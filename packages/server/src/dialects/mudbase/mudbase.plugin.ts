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
        tags: ['auth'],
        body: MudbaseLoginBody,
        response: { 200: MudbaseLoginResponse, ...errors(400, 401, 429) },
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
        tags: ['auth'],
        body: MudbaseRefreshBody,
        response: { 200: MudbaseRefreshResponse, ...errors(400, 401) },
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
        tags: ['users'],
        security: SECURITY,
        response: { 200: MudbaseSetupResponse, ...errors(400, 401, 403, 429) },
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
        tags: ['users'],
        security: SECURITY,
        body: MudbaseVerifyBody,
        response: { 200: MudbaseMessage, ...errors(400, 401, 403, 429) },
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
        tags: ['users'],
        security: SECURITY,
        body: MudbaseDisableBody,
        response: { 200: MudbaseMessage, ...errors(400, 401, 403, 429) },
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

export const mudbaseDialect: Dialect = {
  name: 'mudbase',
  title: 'Tessera: Mudbase dialect',
  description:
    "Mudbase's 2FA API (`/api/users/2fa/*`, with `/api/auth/login` and `/api/auth/refresh`) served by Tessera. " +
    'The 2FA routes take a JWT only. Errors: `{error, code, details, timestamp, path, requestId}`.',
  securitySchemes: { BearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
  prefixes: ['/api/auth', '/api/users'],
  register,
};
