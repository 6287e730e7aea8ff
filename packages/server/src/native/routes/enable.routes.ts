import {
  CodeOnlyBody,
  EnableBody,
  EnableResult,
  EnableStart,
  FlowIdParams,
  ProcedureView,
  SentCode,
} from '@tessera/contract';
import { type Core, codeProof } from '@tessera/core';
import type { Static } from 'typebox';
import { actorOf, BEARER, emptyBodyAsObject, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

/** Enabling a method: start, state, confirm, resend. */
export function registerEnableRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['two-factor'];

  app.post(
    '/me/2fa/enable',
    {
      onRequest: auth,
      // Only a method that sends a code draws on the code-send limit, once the body says which:
      // TOTP, backup codes and keys send nothing. Every request counts among the others first.
      config: {
        rateLimitGroupsOf: (request) =>
          core.enable.sendsCode((request.body as Static<typeof EnableBody>).method) ? ['code_sends'] : [],
      },
      schema: {
        operationId: 'startEnable',
        tags,
        summary: 'Start enabling a method',
        description:
          'totp returns the key, otpauth URI and QR code; sms (give `phone`) and email send a code. Confirm with ' +
          'POST /me/2fa/enable/{flowId}/confirm within 10 minutes. backup_codes is enabled at once and returns the ' +
          'codes (shown only here).',
        security: BEARER,
        body: EnableBody,
        response: {
          201: EnableStart,
          ...errorResponses(
            'FORBIDDEN',
            'METHOD_NOT_ALLOWED',
            'FACTOR_ALREADY_ACTIVE',
            'PHONE_INVALID',
            'PHONE_COUNTRY_NOT_ALLOWED',
            'PHONE_CHANGE_NEEDS_PROOF',
            'EMAIL_REQUIRED',
            'WEBAUTHN_NOT_CONFIGURED',
            'WEBAUTHN_CREDENTIAL_LIMIT',
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'SMS_DESTINATION_LIMIT',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request, reply) => {
      const started = await core.enable.start(actorOf(request), request.body);
      return reply.status(201).send(started);
    },
  );

  app.get(
    '/me/2fa/enable/:flowId',
    {
      onRequest: auth,
      schema: {
        operationId: 'getEnable',
        description:
          "The procedure's state (awaiting_code until confirmed), tries used and expiry. Only your own procedures.",
        tags,
        summary: 'State of an enable procedure',
        security: BEARER,
        params: FlowIdParams,
        response: { 200: ProcedureView, ...errorResponses('FLOW_NOT_FOUND') },
      },
    },
    async (request) => core.enable.status(actorOf(request), request.params.flowId),
  );

  app.post(
    '/me/2fa/enable/:flowId/confirm',
    {
      onRequest: auth,
      schema: {
        operationId: 'confirmEnable',
        description:
          'The code from the app, or the code sent by SMS or e-mail. Five wrong codes fail the procedure; after 10 minutes it has expired (410).',
        tags,
        summary: 'Confirm an enable procedure with a code: the method becomes active',
        security: BEARER,
        params: FlowIdParams,
        body: CodeOnlyBody,
        response: {
          200: EnableResult,
          ...errorResponses(
            'FORBIDDEN',
            'FLOW_NOT_FOUND',
            'FLOW_EXPIRED',
            'FLOW_FINISHED',
            'CODE_MALFORMED',
            'CODE_INVALID',
            'CODE_EXPIRED',
            'CODE_ATTEMPTS_EXHAUSTED',
            'SECOND_FACTOR_LOCKED',
            'SECOND_FACTOR_SUSPENDED',
          ),
        },
      },
    },
    async (request) => core.enable.confirm(actorOf(request), request.params.flowId, codeProof(request.body.code)),
  );

  app.post(
    '/me/2fa/enable/:flowId/resend',
    {
      onRequest: auth,
      preValidation: emptyBodyAsObject,
      schema: {
        operationId: 'resendEnableCode',
        description:
          'Only for sms and email procedures still awaiting_code; the new code replaces the old one. Too soon is 429 RESEND_TOO_SOON.',
        tags,
        summary: 'Send a new code for an SMS or e-mail enable procedure (after a 60 s cooldown)',
        security: BEARER,
        params: FlowIdParams,
        response: {
          200: SentCode,
          ...errorResponses(
            'FORBIDDEN',
            'FLOW_NOT_FOUND',
            'FLOW_EXPIRED',
            'FLOW_FINISHED',
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'SMS_DESTINATION_LIMIT',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request) => core.enable.resend(actorOf(request), request.params.flowId),
  );
}
