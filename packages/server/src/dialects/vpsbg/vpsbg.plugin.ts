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
        description: 'Each call issues a new secret, kept pending for 10 minutes until POST /v1/user/2fa confirms it.',
        tags: TAGS,
        security: SECURITY,
        response: { 200: VpsbgSecret, ...errors(401, 403, 409, 429, 500) },
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
        tags: TAGS,
        security: SECURITY,
        body: VpsbgEnableBody,
        response: { 204: NO_CONTENT, ...errors(401, 403, 409, 422, 423, 429, 500) },
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
        description: 'Needs a current code of the authenticator app. Backup codes go too when no other factor remains.',
        tags: TAGS,
        security: SECURITY,
        body: VpsbgDisableBody,
        response: { 204: NO_CONTENT, ...errors(401, 403, 422, 423, 429, 500) },
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

export const vpsbgDialect: Dialect = {
  name: 'vpsbg',
  title: 'Tessera: VPSBG dialect',
  description:
    'VPSBG\'s 2FA API (`/v1/user/2fa`) served by Tessera. Errors are `{"message": …}` with VPSBG\'s statuses: ' +
    '401, 403, 409, 422 (wrong code, unknown secret, validation), 423 (second factor locked), 429.',
  securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
  prefixes: ['/v1'],
  register,
};
