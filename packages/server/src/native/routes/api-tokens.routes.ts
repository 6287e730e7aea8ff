import { ApiToken, ApiTokenIdParams, CreateApiTokenBody, CreatedApiToken, twilioCredentials } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { Type } from 'typebox';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

export function registerApiTokenRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);

  app.get(
    '/me/api-tokens',
    {
      onRequest: auth,
      schema: {
        operationId: 'listApiTokens',
        description:
          'Every API token of yours, revoked ones included, with when it was last used. The token strings themselves are never stored.',
        tags: ['api tokens'],
        summary: 'List your API tokens (never the tokens themselves)',
        security: BEARER,
        response: { 200: Type.Object({ apiTokens: Type.Array(ApiToken) }), ...errorResponses('TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => ({ apiTokens: await core.apiTokens.list(actorOf(request)) }),
  );

  app.post(
    '/me/api-tokens',
    {
      onRequest: auth,
      schema: {
        operationId: 'createApiToken',
        tags: ['api tokens'],
        summary: 'Create an API token; it is shown once',
        description:
          "The token acts as you; an admin's token acts as admin. With `twilio: true` the answer also has the SIDs " +
          'that present it to the Twilio Verify dialect (HTTP Basic, the token as password).',
        security: BEARER,
        body: CreateApiTokenBody,
        response: { 201: CreatedApiToken, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED') },
      },
    },
    async (request, reply) => {
      const { twilio, ...input } = request.body;
      const actor = actorOf(request);
      const { token, view } = await core.apiTokens.create(actor, input);
      const owner = actor.kind === 'user' ? actor.userId : undefined;
      return reply.status(201).send({
        token,
        apiToken: view,
        ...(twilio && owner ? { twilio: twilioCredentials(owner, view.id) } : {}),
      });
    },
  );

  app.delete(
    '/me/api-tokens/:tokenId',
    {
      onRequest: auth,
      schema: {
        operationId: 'revokeApiToken',
        description: 'The token stops working at once. Only your own tokens; another id is 404 API_TOKEN_NOT_FOUND.',
        tags: ['api tokens'],
        summary: 'Revoke an API token',
        security: BEARER,
        params: ApiTokenIdParams,
        response: {
          204: { type: 'null' },
          ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'API_TOKEN_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      await core.apiTokens.revoke(actorOf(request), request.params.tokenId);
      return reply.status(204).send(null);
    },
  );
}
