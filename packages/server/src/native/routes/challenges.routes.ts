import { ChallengeBody, ChallengeConfirmBody, ChallengeIdParams, ChallengeView, SuccessToken } from '@tessera/contract';
import type { Core } from '@tessera/core';
import type { Static } from 'typebox';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

/** Step-up challenges that yield a success token for one sensitive operation. */
export function registerChallengeRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['two-factor'];

  app.post(
    '/me/2fa/challenges',
    {
      onRequest: auth,
      // Only a challenge that sends a code (e-mail, the default, or SMS) draws on the code sends.
      config: {
        rateLimitGroupsOf: (request) =>
          core.challenges.sendsCode((request.body as Static<typeof ChallengeBody>).method) ? ['code_sends'] : [],
      },
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
        response: {
          201: ChallengeView,
          ...errorResponses(
            'FORBIDDEN',
            'TWO_FACTOR_REQUIRED',
            'METHOD_NOT_ACTIVE',
            'NO_ACTIVE_FACTOR',
            'EMAIL_REQUIRED',
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'SMS_DESTINATION_LIMIT',
            'DELIVERY_FAILED',
          ),
        },
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
        response: { 200: ChallengeView, ...errorResponses('TWO_FACTOR_REQUIRED', 'FLOW_NOT_FOUND') },
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
        response: {
          200: SuccessToken,
          ...errorResponses(
            'FORBIDDEN',
            'TWO_FACTOR_REQUIRED',
            'FLOW_NOT_FOUND',
            'FLOW_EXPIRED',
            'FLOW_FINISHED',
            'CODE_MALFORMED',
            'CODE_INVALID',
            'CODE_EXPIRED',
            'CODE_ATTEMPTS_EXHAUSTED',
            'SECOND_FACTOR_LOCKED',
            'SECOND_FACTOR_SUSPENDED',
            'WEBAUTHN_CHALLENGE_INVALID',
          ),
        },
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
