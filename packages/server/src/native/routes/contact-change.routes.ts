import {
  Account,
  ChangeIdParams,
  CodeOnlyBody,
  ContactChange,
  EmailChangeBody,
  PhoneChangeBody,
} from '@tessera/contract';
import type { Core } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

const REAUTHENTICATION =
  'Confirm with a success token from a challenge for the operation, or with `currentPassword` and, when the ' +
  'account has 2FA, a current `code` of the authenticator app or a backup code; without: 403 ' +
  'REAUTHENTICATION_REQUIRED; a wrong code: 422 CODE_INVALID. ';

/** Changing the signed-in user's own e-mail address or phone number. */
export function registerContactChangeRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['accounts'];

  app.post(
    '/me/email',
    {
      onRequest: auth,
      schema: {
        operationId: 'startEmailChange',
        tags,
        summary: 'Change your e-mail address: a code is sent to the new one',
        description:
          `${REAUTHENTICATION}(The success token is for change_email.) The address changes only once the code ` +
          'sent to it is confirmed (POST /me/contact-changes/{changeId}/confirm), within 10 minutes and 5 tries; ' +
          'the old address is then told. Codes are under the usual send limits (429).',
        security: BEARER,
        body: EmailChangeBody,
        response: {
          202: ContactChange,
          ...errorResponses(
            'FORBIDDEN',
            'TWO_FACTOR_REQUIRED',
            'REAUTHENTICATION_REQUIRED',
            'INVALID_CREDENTIALS',
            'PASSWORD_THROTTLED',
            'SUCCESS_TOKEN_INVALID',
            'CODE_MALFORMED',
            'CODE_INVALID',
            'SECOND_FACTOR_LOCKED',
            'SECOND_FACTOR_SUSPENDED',
            'EMAIL_TAKEN',
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request, reply) => {
      const { email, ...proof } = request.body;
      return reply
        .status(202)
        .send(await core.contactChanges.start(actorOf(request), { field: 'email', value: email, proof }));
    },
  );

  app.post(
    '/me/phone',
    {
      onRequest: auth,
      schema: {
        operationId: 'startPhoneChange',
        tags,
        summary: 'Change your phone number: a code is sent to the new one by SMS',
        description:
          `${REAUTHENTICATION}(The success token is for change_phone.) The number changes (stored sealed) once ` +
          'the code sent to it is confirmed, within 10 minutes and 5 tries, and the account’s e-mail address is ' +
          'told. The SMS limits apply: per number, per account and against many different numbers (429 ' +
          'SEND_LIMIT_REACHED, SMS_DESTINATION_LIMIT), and TESSERA_SMS_COUNTRIES (400 PHONE_COUNTRY_NOT_ALLOWED). ' +
          'An SMS second factor keeps the number it was confirmed with.',
        security: BEARER,
        body: PhoneChangeBody,
        response: {
          202: ContactChange,
          ...errorResponses(
            'FORBIDDEN',
            'TWO_FACTOR_REQUIRED',
            'REAUTHENTICATION_REQUIRED',
            'INVALID_CREDENTIALS',
            'PASSWORD_THROTTLED',
            'SUCCESS_TOKEN_INVALID',
            'CODE_MALFORMED',
            'CODE_INVALID',
            'SECOND_FACTOR_LOCKED',
            'SECOND_FACTOR_SUSPENDED',
            'PHONE_INVALID',
            'PHONE_COUNTRY_NOT_ALLOWED',
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'SMS_DESTINATION_LIMIT',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request, reply) => {
      const { phone, ...proof } = request.body;
      return reply
        .status(202)
        .send(await core.contactChanges.start(actorOf(request), { field: 'phone', value: phone, proof }));
    },
  );

  app.get(
    '/me/contact-changes/:changeId',
    {
      onRequest: auth,
      schema: {
        operationId: 'getContactChange',
        tags,
        summary: 'State of an e-mail address or phone number change',
        description:
          'Whether the change still waits for its code, was confirmed, failed (5 wrong codes) or expired (10 ' +
          'minutes), with the tries used and where the code went. Another user’s change: 404.',
        security: BEARER,
        params: ChangeIdParams,
        response: { 200: ContactChange, ...errorResponses('TWO_FACTOR_REQUIRED', 'FLOW_NOT_FOUND') },
      },
    },
    async (request) => core.contactChanges.status(actorOf(request), request.params.changeId),
  );

  app.post(
    '/me/contact-changes/:changeId/confirm',
    {
      onRequest: auth,
      schema: {
        operationId: 'confirmContactChange',
        tags,
        summary: 'Confirm an e-mail address or phone number change with the code sent to the new one',
        description:
          'Returns the account as it now is. A wrong code: 422 CODE_INVALID (counted; the fifth fails the change, ' +
          'and each code allows TESSERA_CODE_MAX_ATTEMPTS tries). An address another account has: 409 EMAIL_TAKEN. ' +
          'Expired: 410 FLOW_EXPIRED; already confirmed or failed: 409 FLOW_FINISHED.',
        security: BEARER,
        params: ChangeIdParams,
        body: CodeOnlyBody,
        response: {
          200: Account,
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
            'EMAIL_TAKEN',
          ),
        },
      },
    },
    async (request) => core.contactChanges.confirm(actorOf(request), request.params.changeId, request.body.code),
  );
}
