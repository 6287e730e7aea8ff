import {
  Account,
  CodeBody,
  FlowIdParams,
  RefreshBody,
  SignInBody,
  SignInResponse,
  SignUpBody,
  TokenPair,
} from '@tessera/contract';
import { type Core, toAccountView } from '@tessera/core';
import { BEARER, errorResponses, type NativeApp, principalOf, requireAuth } from '../native-app.js';

export function registerAuthRoutes(app: NativeApp, core: Core): void {
  app.post(
    '/users',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create an account (sign up)',
        body: SignUpBody,
        response: { 201: Account, ...errorResponses(400, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const user = await core.accounts.create(request.body);
      return reply.status(201).send(toAccountView(user));
    },
  );

  app.post(
    '/auth/sign-in',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Sign in with a password',
        description:
          'Returns tokens, or, when the account has an active second factor, a sign-in flow that waits for a code ' +
          '(POST /auth/sign-in/{flowId}/second-factor).',
        body: SignInBody,
        response: { 200: SignInResponse, ...errorResponses(400, 401) },
      },
    },
    async (request) => core.signIn.start(request.body.username, request.body.password),
  );

  app.post(
    '/auth/sign-in/:flowId/second-factor',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Finish a sign-in with a second-factor code',
        params: FlowIdParams,
        body: CodeBody,
        response: { 200: TokenPair, ...errorResponses(400, 401, 404, 409, 410, 429) },
      },
    },
    async (request) => core.signIn.submitCode(request.params.flowId, request.body.code),
  );

  app.post(
    '/auth/refresh',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Exchange a refresh token for new tokens (the old refresh token stops working)',
        body: RefreshBody,
        response: { 200: TokenPair, ...errorResponses(400, 401) },
      },
    },
    async (request) =>
      core.sessions.refresh(request.body.refreshToken, async (userId) => (await core.accounts.get(userId)).role),
  );

  app.post(
    '/auth/sign-out',
    {
      onRequest: requireAuth(core),
      schema: {
        tags: ['sessions'],
        summary: 'End this session: its access and refresh tokens stop working',
        security: BEARER,
        response: { 204: { type: 'null' }, ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      const { sessionId } = principalOf(request);
      if (sessionId) await core.sessions.signOut(sessionId);
      return reply.status(204).send(null);
    },
  );
}
