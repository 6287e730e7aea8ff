import {
  DisableBody,
  DisableConfirmBody,
  DisableStart,
  FlowIdParams,
  ProcedureView,
  SentCode,
} from '@tessera/contract';
import { assertionProof, type Core, codeProof, type DisableProof } from '@tessera/core';
import { actorOf, BEARER, emptyBodyAsObject, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

/** Disabling a method: start, confirm, resend. */
export function registerDisableRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['two-factor'];

  app.post(
    '/me/2fa/disable',
    {
      onRequest: auth,
      schema: {
        operationId: 'startDisable',
        tags,
        summary: 'Start disabling a method',
        description:
          'sms and email send a code to the method; webauthn answers with `webauthn` options for ' +
          '`navigator.credentials.get()`. Confirm with a current code of the method (for webauthn, the assertion), ' +
          'or with a success token issued for `disable_factor` with the method as target.',
        security: BEARER,
        body: DisableBody,
        response: { 201: DisableStart, ...errorResponses(400, 401, 409, 429, 502) },
      },
    },
    async (request, reply) => reply.status(201).send(await core.disable.start(actorOf(request), request.body.method)),
  );

  app.post(
    '/me/2fa/disable/:flowId/confirm',
    {
      onRequest: auth,
      schema: {
        operationId: 'confirmDisable',
        description:
          'A current code of the method being disabled (for webauthn, `credential`: the assertion of one of your keys), or a success token for disable_factor from a challenge. Five wrong codes fail the procedure.',
        tags,
        summary: 'Confirm a disable procedure: the method is removed',
        security: BEARER,
        params: FlowIdParams,
        body: DisableConfirmBody,
        response: { 200: ProcedureView, ...errorResponses(400, 401, 403, 404, 409, 410, 422, 429) },
      },
    },
    async (request) => core.disable.confirm(actorOf(request), request.params.flowId, disableProof(request.body)),
  );

  app.post(
    '/me/2fa/disable/:flowId/resend',
    {
      onRequest: auth,
      preValidation: emptyBodyAsObject,
      schema: {
        operationId: 'resendDisableCode',
        description:
          'Only for sms and email procedures still awaiting_code; the new code replaces the old one. Too soon is 429 RESEND_TOO_SOON.',
        tags,
        summary: 'Send a new code for an SMS or e-mail disable procedure',
        security: BEARER,
        params: FlowIdParams,
        response: { 200: SentCode, ...errorResponses(400, 401, 404, 409, 410, 429, 502) },
      },
    },
    async (request) => core.disable.resend(actorOf(request), request.params.flowId),
  );
}

/** The native body names a code, an assertion or a success token; the core takes a proof or a success token. */
function disableProof(
  body: { code: string } | { successToken: string } | { credential: Readonly<Record<string, unknown>> },
): DisableProof {
  if ('code' in body) return { proof: codeProof(body.code) };
  if ('credential' in body) return { proof: assertionProof(body.credential) };
  return { successToken: body.successToken };
}
