import { randomUUID } from 'node:crypto';
import type { Core, SignedIn } from '@tessera/core';
import { rateLimitGroups } from '../../http/rate-limit.js';
import type { Dialect, DialectApp } from '../dialect.js';
import { anonymousCaller } from '../dialect-auth.js';
import { installDialectErrors } from '../dialect-errors.js';
import { B2CORE_ERRORS } from './b2core.errors.js';
import { b2coreTokens, checkFingerprint, secondFactorWorkflow } from './b2core.mapping.js';
import {
  B2CoreError,
  B2CoreTokens,
  CodeBody,
  RefreshBody,
  SelectTypeBody,
  SelectTypeResponse,
  SignInBody,
  SignInResponse,
  SignInWizardResponse,
  TokensResponse,
} from './b2core.schemas.js';

function errors(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, B2CoreError]));
}

/** The final step of a sign-in: 202 and the tokens. */
function signedInEnvelope(core: Core, signedIn: SignedIn, uuid: string) {
  return { code: 202, data: b2coreTokens(signedIn.tokens, core.clock.now()), done: true, uuid, workflow: 'login' };
}

/**
 * The sign-in steps: no credentials, and an `Authorization` header sent anyway (the vendor's own
 * example does on /signin/2fa) is ignored. The wizard's uuid is not stored: POST /signin starts
 * the core's sign-in flow and every later step uses the uuid it answers, the flow's id.
 */
async function registerSignIn(app: DialectApp, core: Core): Promise<void> {
  app.get(
    '/api/v2/my/signin/wizard',
    {
      schema: {
        operationId: 'signInWizard',
        summary: 'Start a sign-in: a uuid for POST /api/v2/my/signin',
        tags: ['sign-in'],
        response: { 202: SignInWizardResponse },
      },
    },
    async (_request, reply) =>
      reply.status(202).send({
        code: 202,
        data: { recaptcha: { enabled: false }, is_qr_available: false, is_password_recovery_available: true },
        done: true,
        uuid: randomUUID(),
        workflow: 'login',
      }),
  );

  app.post(
    '/api/v2/my/signin',
    {
      config: rateLimitGroups('sign_in'),
      schema: {
        operationId: 'signIn',
        summary: 'E-mail and password: the tokens (202), or the second-factor step (200)',
        tags: ['sign-in'],
        body: SignInBody,
        response: { 200: SignInResponse, 202: SignInResponse, ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const { uuid, email, password, device_fingerprint } = request.body;
      checkFingerprint(device_fingerprint);
      const actor = anonymousCaller(request);
      const started = await core.signIn.start(actor, email, password);
      if (started.status === 'signed_in') return reply.status(202).send(signedInEnvelope(core, started, uuid));
      const workflow = secondFactorWorkflow(started.methods);
      // With SMS as the one method, its code is sent now.
      if (workflow === '2fa_sms_auth') await core.signIn.selectMethod(actor, started.flowId, 'sms');
      return reply.status(200).send({ code: 200, data: null, done: false, uuid: started.flowId, workflow });
    },
  );

  app.post(
    '/api/v2/my/signin/2fa',
    {
      config: rateLimitGroups('verify'),
      schema: {
        operationId: 'signInChooseType',
        summary: 'With both methods on: choose one (sms sends its code now)',
        tags: ['sign-in'],
        body: SelectTypeBody,
        response: { 200: SelectTypeResponse, ...errors(400, 404, 409, 429) },
      },
    },
    async (request) => {
      const { uuid, type } = request.body;
      await core.signIn.selectMethod(anonymousCaller(request), uuid, type === 'google' ? 'totp' : 'sms');
      return {
        code: 200,
        data: null,
        done: false,
        uuid,
        workflow: type === 'google' ? '2fa_google_auth' : '2fa_sms_auth',
      };
    },
  );

  app.post(
    '/api/v2/my/2fa/google',
    {
      config: rateLimitGroups('verify'),
      schema: {
        operationId: 'signInGoogle',
        summary: 'The authenticator code, or a backup code: the tokens',
        tags: ['sign-in'],
        body: CodeBody,
        response: { 202: TokensResponse, ...errors(400, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { uuid, code } = request.body;
      const signedIn = await core.signIn.submitAppOrBackupCode(anonymousCaller(request), uuid, code);
      return reply.status(202).send(signedInEnvelope(core, signedIn, uuid));
    },
  );

  app.post(
    '/api/v2/my/2fa/sms',
    {
      config: rateLimitGroups('verify'),
      schema: {
        operationId: 'signInSms',
        summary: 'The code sent by SMS: the tokens',
        tags: ['sign-in'],
        body: CodeBody,
        response: { 202: TokensResponse, ...errors(400, 404, 409, 422, 429) },
      },
    },
    async (request, reply) => {
      const { uuid, code } = request.body;
      const signedIn = await core.signIn.submitCode(anonymousCaller(request), uuid, { code, method: 'sms' });
      return reply.status(202).send(signedInEnvelope(core, signedIn, uuid));
    },
  );

  app.post(
    '/api/v2/my/token/refresh',
    {
      schema: {
        operationId: 'refreshToken',
        summary: 'A refresh token for a new pair (rotating: a reused one revokes its family)',
        tags: ['sign-in'],
        body: RefreshBody,
        response: { 200: B2CoreTokens, ...errors(400, 401) },
      },
    },
    async (request) => {
      const tokens = await core.sessions.refresh(
        request.body.refreshToken,
        async (userId) => (await core.accounts.get(userId)).role,
      );
      return b2coreTokens(tokens, core.clock.now());
    },
  );
}

async function register(app: DialectApp, core: Core): Promise<void> {
  app.decorateRequest('actor', null);
  installDialectErrors(app, B2CORE_ERRORS, (failure) => ({
    code: failure.status,
    message: failure.message,
    errors: failure.field ? { [failure.field]: [failure.message] } : {},
  }));
  await app.register(async (signIn) => registerSignIn(signIn.withTypeProvider(), core));
}

export const b2coreDialect: Dialect = {
  name: 'b2core',
  title: 'Tessera: B2Core dialect',
  description:
    "B2Core's front-office 2FA API (`/api/v2/my/...`: the sign-in wizard and its 2FA steps) served by Tessera. " +
    'Errors: `{code, message, errors}` with `code` the HTTP status.',
  securitySchemes: { BearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
  register,
};
