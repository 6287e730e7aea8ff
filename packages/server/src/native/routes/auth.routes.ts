import {
  Account,
  ChallengeIdParams,
  CodeOnlyBody,
  FlowIdParams,
  IntrospectBody,
  Introspection,
  PasswordResetBody,
  RecoveryBody,
  RecoveryStart,
  RefreshBody,
  SecondFactorBody,
  SelectMethodBody,
  SelectMethodResult,
  SignInBody,
  SignInResponse,
  SignUpBody,
  SuccessToken,
  TokenResponse,
} from '@tessera/contract';
import { type Core, sessionClientOf, toAccountView } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAdminAuth, requireAuth } from '../native-app.js';

export function registerAuthRoutes(app: NativeApp, core: Core): void {
  app.post(
    '/users',
    {
      schema: {
        operationId: 'signUp',
        tags: ['accounts'],
        summary: 'Create an account (sign up)',
        description:
          'Open only when the server runs with TESSERA_SIGNUP=open; otherwise 403 SIGN_UP_CLOSED, and accounts ' +
          'are made by an admin (`tessera users create`). ' +
          'An e-mail address that already has an account gets the same 201 answer, but nothing is created ' +
          "and the address's owner is told by e-mail. A taken username is 409 USERNAME_TAKEN.",
        body: SignUpBody,
        response: { 201: Account, ...errorResponses('SIGN_UP_CLOSED', 'USERNAME_TAKEN') },
      },
    },
    async (request, reply) => {
      const user = await core.accounts.create(actorOf(request), request.body);
      return reply.status(201).send(toAccountView(user));
    },
  );

  app.post(
    '/auth/sign-in',
    {
      schema: {
        operationId: 'signIn',
        tags: ['sessions'],
        summary: 'Sign in with a password',
        description:
          'Returns tokens, or, when the account has an active second factor, a sign-in flow that waits for a code ' +
          '(POST /auth/sign-in/{flowId}/second-factor). Too many failed passwords for the account or from the ' +
          'address: 429 PASSWORD_THROTTLED with retryAt.',
        body: SignInBody,
        response: {
          200: SignInResponse,
          ...errorResponses('INVALID_CREDENTIALS', 'PASSWORD_THROTTLED', 'ACCOUNT_DISABLED'),
        },
      },
    },
    async (request) => {
      const { username, password, deviceToken } = request.body;
      const result = await core.signIn.start(actorOf(request), username, password, deviceToken);
      if (result.status !== 'signed_in') return result;
      // The same flat token fields as the second-factor step and refresh.
      return { status: result.status, ...result.tokens, ...(result.device ? { device: result.device } : {}) };
    },
  );

  app.post(
    '/auth/sign-in/:flowId/method',
    {
      schema: {
        operationId: 'selectSignInMethod',
        description:
          'Only a method active for the account. sms and email send a code now (a new code replaces the last; a 60 s cooldown between sends); totp and backup_codes send nothing. The flow stays awaiting_code.',
        tags: ['sessions'],
        summary: 'Choose the second-factor method of a sign-in (SMS and e-mail send their code now)',
        params: FlowIdParams,
        body: SelectMethodBody,
        response: {
          200: SelectMethodResult,
          ...errorResponses(
            'FLOW_NOT_FOUND',
            'FLOW_EXPIRED',
            'FLOW_FINISHED',
            'METHOD_NOT_ACTIVE',
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'SMS_DESTINATION_LIMIT',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request) => core.signIn.selectMethod(actorOf(request), request.params.flowId, request.body.method),
  );

  app.post(
    '/auth/sign-in/:flowId/second-factor',
    {
      schema: {
        operationId: 'completeSignIn',
        tags: ['sessions'],
        summary: 'Finish a sign-in with a second-factor code',
        description:
          '`method` defaults to the chosen one, else totp. A backup code (method backup_codes) is always accepted. ' +
          '`rememberDevice` returns a device token that skips the second factor for 30 days.',
        params: FlowIdParams,
        body: SecondFactorBody,
        response: {
          200: TokenResponse,
          ...errorResponses(
            'FLOW_NOT_FOUND',
            'FLOW_EXPIRED',
            'FLOW_FINISHED',
            'METHOD_NOT_ACTIVE',
            'METHOD_REQUIRED',
            'CODE_MALFORMED',
            'CODE_INVALID',
            'CODE_EXPIRED',
            'CODE_ATTEMPTS_EXHAUSTED',
            'SECOND_FACTOR_LOCKED',
            'SECOND_FACTOR_SUSPENDED',
            'ACCOUNT_DISABLED',
          ),
        },
      },
    },
    async (request) => {
      const { tokens, device } = await core.signIn.submitCode(actorOf(request), request.params.flowId, request.body);
      return { ...tokens, ...(device ? { device } : {}) };
    },
  );

  app.post(
    '/auth/recovery',
    {
      schema: {
        operationId: 'startRecovery',
        tags: ['sessions'],
        summary: 'Start password recovery (unauthorized challenge)',
        description:
          "Sends a code to the account's e-mail address if the username or address belongs to an account with " +
          'one; the answer is the same whether or not it does, so it cannot say that a code went out, only that ' +
          'it was asked for (`sentAt`). A second request for the same login within the resend cooldown sends ' +
          'nothing and says so: 429 RESEND_TOO_SOON with retryAt, for an existing and an unknown login alike.',
        body: RecoveryBody,
        response: { 202: RecoveryStart, ...errorResponses('RESEND_TOO_SOON', 'SEND_LIMIT_REACHED', 'DELIVERY_FAILED') },
      },
    },
    async (request, reply) => reply.status(202).send(await core.recovery.start(actorOf(request), request.body.login)),
  );

  app.post(
    '/auth/recovery/:challengeId/confirm',
    {
      schema: {
        operationId: 'confirmRecovery',
        tags: ['sessions'],
        summary: 'Answer a recovery challenge; the success token allows one password reset',
        description:
          'Every refusal (wrong code, unknown challenge, expired or used up, no such account) is the same ' +
          '422 CODE_INVALID.',
        params: ChallengeIdParams,
        body: CodeOnlyBody,
        response: {
          200: SuccessToken,
          ...errorResponses(
            'FLOW_NOT_FOUND',
            'FLOW_EXPIRED',
            'FLOW_FINISHED',
            'CODE_MALFORMED',
            'CODE_INVALID',
            'CODE_EXPIRED',
            'CODE_ATTEMPTS_EXHAUSTED',
          ),
        },
      },
    },
    async (request) => core.recovery.confirm(actorOf(request), request.params.challengeId, request.body.code),
  );

  app.post(
    '/auth/password-reset',
    {
      schema: {
        operationId: 'resetPassword',
        description:
          'The success token comes from POST /auth/recovery/{challengeId}/confirm and is single use. A wrong, used or expired token is 403 SUCCESS_TOKEN_INVALID.',
        tags: ['sessions'],
        summary: 'Set a new password with a success token for reset_password',
        body: PasswordResetBody,
        response: { 204: { type: 'null' }, ...errorResponses('SUCCESS_TOKEN_INVALID') },
      },
    },
    async (request, reply) => {
      await core.passwords.reset(actorOf(request), request.body.successToken, request.body.newPassword);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/auth/refresh',
    {
      schema: {
        operationId: 'refreshTokens',
        description:
          'Answers the same TokenResponse as sign-in. The refresh token sent is used up; presenting it again revokes its whole session family (401 REFRESH_TOKEN_REUSED).',
        tags: ['sessions'],
        summary: 'Exchange a refresh token for new tokens (the old refresh token stops working)',
        body: RefreshBody,
        response: {
          200: TokenResponse,
          ...errorResponses('REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_DISABLED'),
        },
      },
    },
    async (request) =>
      core.sessions.refresh(
        request.body.refreshToken,
        async (userId) => (await core.accounts.get(userId)).role,
        sessionClientOf(actorOf(request)),
      ),
  );

  app.post(
    '/auth/introspect',
    {
      onRequest: requireAdminAuth(core),
      schema: {
        operationId: 'introspectToken',
        tags: ['sessions'],
        summary: 'Whether a token is live now, and whose (RFC 7662): for platforms that check tokens themselves',
        description:
          'Needs an admin token. Checks signature, expiry and revocation as a request would; anything wrong is ' +
          '`{"active": false}`. The body is JSON like every native route.',
        security: BEARER,
        body: IntrospectBody,
        response: { 200: Introspection, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => core.introspection.introspect(actorOf(request), request.body.token),
  );

  app.post(
    '/auth/sign-out',
    {
      onRequest: requireAuth(core),
      schema: {
        operationId: 'signOut',
        description:
          'Revokes the session of the access token sent, and its refresh tokens. Other sessions of the account stay signed in.',
        tags: ['sessions'],
        summary: 'End this session: its access and refresh tokens stop working',
        security: BEARER,
        response: { 204: { type: 'null' }, ...errorResponses() },
      },
    },
    async (request, reply) => {
      await core.sessions.signOut(actorOf(request));
      return reply.status(204).send(null);
    },
  );
}
