import type { Core } from '@tessera/core';
import type { AuthScheme } from '../../http/authenticate.js';
import { rateLimitGroups } from '../../http/rate-limit.js';
import type { Dialect, DialectApp } from '../dialect.js';
import { callerOf, requireCaller } from '../dialect-auth.js';
import { installDialectErrors } from '../dialect-errors.js';
import { VPSBG_ERRORS } from './vpsbg.errors.js';
import { otpProof, secretBody } from './vpsbg.mapping.js';
import { VpsbgDisableBody, VpsbgEnableBody, VpsbgError, VpsbgSecret } from './vpsbg.schemas.js';

/** An API key (read or write) as a Bearer token; a native access token works too. */
const SCHEMES: readonly AuthScheme[] = ['bearer'];
const SECURITY = [{ apiKey: [] }];
const TAGS = ['2FA'];
const NO_CONTENT = { type: 'null', description: 'No content' } as const;

function errors(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, VpsbgError]));
}

async function register(app: DialectApp, core: Core): Promise<void> {
  app.decorateRequest('actor', null);
  installDialectErrors(app, VPSBG_ERRORS, (failure, _request, reply) => {
    // VPSBG reports its quota as X-RateLimit-*; the limiter writes the standard RateLimit-*.
    for (const name of ['limit', 'remaining'] as const) {
      const value = reply.getHeader(`ratelimit-${name}`);
      if (value !== undefined) reply.header(`x-ratelimit-${name}`, value);
    }
    return { message: failure.message };
  });
  requireCaller(app, core, SCHEMES);

  app.get(
    '/v1/user/2fa',
    {
      schema: {
        operationId: 'getTwoFactorSecret',
        summary: 'Get 2FA secret key',
        description:
          'Each call issues a new secret, kept pending for 10 minutes until POST /v1/user/2fa confirms it. ' +
          'Departure: the key is 160 bits (32 base32 characters; the seed shows 16).',
        tags: TAGS,
        security: SECURITY,
        response: { 200: VpsbgSecret, ...errors(401, 403, 409, 429, 500) },
        'x-examples': {
          responses: {
            200: {
              secret_key: 'QLLIU5WTY3UTJGNG5QNMHRLFNNCGTSMZ',
              otp_auth_url:
                'otpauth://totp/VPSBG:alice%40example.com?secret=QLLIU5WTY3UTJGNG5QNMHRLFNNCGTSMZ&issuer=VPSBG&algorithm=SHA1&digits=6&period=30',
            },
          },
        },
      },
    },
    async (request) => {
      const started = await core.enable.start(callerOf(request), { method: 'totp' });
      // A TOTP enrollment always shows its key.
      return secretBody(started.totp!);
    },
  );

  app.post(
    '/v1/user/2fa',
    {
      config: rateLimitGroups('verify'),
      schema: {
        operationId: 'enableTwoFactor',
        summary: 'Enable 2FA',
        description:
          'Confirms the secret of GET /v1/user/2fa with a current code. Only the secret issued to this caller is ' +
          'taken (any other is 422). `otp` is an integer, as VPSBG types it (leading zeros it lost are restored), ' +
          'or a string of digits; a replayed code is a wrong code (422).',
        tags: TAGS,
        security: SECURITY,
        body: VpsbgEnableBody,
        response: { 204: NO_CONTENT, ...errors(401, 403, 409, 422, 423, 429, 500) },
        'x-examples': { request: { otp: 123456, secret_key: 'QLLIU5WTY3UTJGNG5QNMHRLFNNCGTSMZ' } },
      },
    },
    async (request, reply) => {
      await core.enable.confirmIssuedSecret(callerOf(request), request.body.secret_key, otpProof(request.body.otp));
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/v1/user/2fa',
    {
      config: rateLimitGroups('verify'),
      schema: {
        operationId: 'disableTwoFactor',
        summary: 'Disable 2FA',
        description:
          'Needs a current code of the authenticator app. Backup codes go too when no other factor remains. ' +
          'Departure: VPSBG documents no body or status here; Tessera takes `{otp}` and answers 204, 422 for a ' +
          'wrong code or when 2FA is off.',
        tags: TAGS,
        security: SECURITY,
        body: VpsbgDisableBody,
        response: { 204: NO_CONTENT, ...errors(401, 403, 422, 423, 429, 500) },
        'x-examples': { request: { otp: 123456 } },
      },
    },
    async (request, reply) => {
      await core.disable.disableNow(callerOf(request), {
        method: 'totp',
        proof: { proof: otpProof(request.body.otp) },
      });
      return reply.status(204).send(null);
    },
  );
}

/** What each error status of this dialect says, for its document's examples. */
const VPSBG_ERROR_EXAMPLES: Record<number, string> = {
  401: 'Authentication is required. Use "Authorization: Bearer <token>".',
  403: 'This API token may only read.',
  409: 'Two-factor authentication is already enabled.',
  422: 'The code is not valid.',
  423: 'Too many wrong codes: the second factor is locked until 2026-12-04T10:15:00.000Z.',
  429: 'Too many requests: retry after 30 seconds.',
  500: 'Internal server error.',
};

export const vpsbgDialect: Dialect = {
  name: 'vpsbg',
  title: 'Tessera: VPSBG dialect',
  description:
    'VPSBG\'s 2FA API (`/v1/user/2fa`) served by Tessera. Errors are `{"message": …}` with VPSBG\'s statuses: ' +
    '401, 403, 409, 422 (wrong code, unknown secret, validation), 423 (second factor locked), 429.',
  securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
  prefixes: ['/v1'],
  errorExample: (status) => (VPSBG_ERROR_EXAMPLES[status] ? { message: VPSBG_ERROR_EXAMPLES[status] } : undefined),
  register,
};
