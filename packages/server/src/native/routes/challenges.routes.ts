import { ChallengeBody, ChallengeConfirmBody, ChallengeIdParams, ChallengeView, SuccessToken } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

/** Step-up challenges that yield a success token for one sensitive operation. */
export function registerChallengeRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['two-factor'];

  app.post(
    '/me/2fa/challenges',
    {
      onRequest: auth,
      schema: {
        operationId: 'startChallenge',
        tags,
        summary: 'Start a step-up challenge for a sensitive operation',
        description:
          'Sends a code by e-mail (the default) or SMS, or waits for a TOTP or backup code; with method webauthn ' +
          'the answer carries `webauthn` options for `navigator.credentials.get()`. Passing it yields a ' +
          'success token for that one operation (and target), single use, valid 5 minutes.',
        security: BEARER,
        body: ChallengeBody,
        response: { 201: ChallengeView, ...errorResponses(400, 401, 409, 429, 502) },
      },
    },
    async (request, reply) => reply.status(201).send(await core.challenges.start(actorOf(request), request.body)),
  );

  app.get(
    '/me/2fa/challenges/:challengeId',
    {
      onRequest: auth,
      schema: {
        operationId: 'getChallenge',
        description:
          "The challenge's state (awaiting_code until answered, then passed), tries used and expiry. Only your own challenges.",
        tags,
        summary: 'State of a challenge',
        security: BEARER,
        params: ChallengeIdParams,
        response: { 200: ChallengeView, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => core.challenges.status(actorOf(request), request.params.challengeId),
  );

  app.post(
    '/me/2fa/challenges/:challengeId/confirm',
    {
      onRequest: auth,
      schema: {
        operationId: 'confirmChallenge',
        description:
          "The code of the challenge's method, or for webauthn `credential`: the assertion from `navigator.credentials.get()`. The success token is single use, valid 5 minutes, and only for the operation (and target) the challenge named.",
        tags,
        summary: 'Answer a challenge with its code and receive a success token',
        security: BEARER,
        params: ChallengeIdParams,
        body: ChallengeConfirmBody,
        response: { 200: SuccessToken, ...errorResponses(400, 401, 404, 409, 410, 422, 429) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { challengeId } = request.params;
      return 'code' in request.body
        ? core.challenges.confirm(actor, challengeId, request.body.code)
        : core.challenges.confirmAssertion(actor, challengeId, request.body.credential);
    },
  );
}
