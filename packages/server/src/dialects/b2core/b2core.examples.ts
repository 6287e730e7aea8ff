import type { OperationExamples } from '../openapi-document.js';

/**
 * What the B2Core dialect's OpenAPI document says of each operation beyond its summary: a
 * description (with Tessera's departures from the seed, docs/dialects.md) and examples shaped as
 * the seed's (seed 002). The document's test validates every example against its schema; an error
 * status without an example of its own gets `b2coreErrorExample`.
 */

const UUID = '36f59381-5b54-48bd-a0c7-3b908c476732';
const TIME = '2026-12-04T10:00:00+00:00';
const LATER = '2026-12-04T10:15:00+00:00';
const TOKENS = {
  accessToken: { token: 'eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9…', createdAt: TIME, expiresAt: LATER },
  refreshToken: { token: 'tsr_9c1e…', createdAt: TIME, expiresAt: '2027-01-03T10:00:00+00:00' },
};
const TERMINATED = {
  code: 202,
  data: [],
  done: true,
  uuid: UUID,
  workflow: 'B2B\\TCA\\Wizards\\Workflow\\TerminateWorkflow',
};
const CHANGE = { id: 1, provider: 'sms', isEnabled: false, time: TIME };
const CHALLENGE = {
  token: UUID,
  expiresAt: LATER,
  type: 'email',
  sentAt: TIME,
  recipient: 'a***@example.com',
};

const MESSAGES: Record<number, string> = {
  400: 'body must have required property \u2019code\u2019.',
  401: 'Authentication is required. Use "Authorization: Bearer <access token from signing in>".',
  403: 'Two-factor authentication is required: enroll a second factor first.',
  404: 'No such wizard.',
  409: 'The wizard is finished.',
  422: 'The code is not valid.',
  429: 'Too many requests: retry after 30 seconds.',
};

/** An error answer with this status, as the dialect renders errors: `{code, message, errors}`. */
export function b2coreErrorExample(status: number): unknown {
  const message = MESSAGES[status];
  if (message === undefined) return undefined;
  return { code: status, message, errors: status === 400 ? { 'body.code': [message] } : {} };
}

export const B2CORE_DOCS: Record<string, { description: string } & OperationExamples> = {
  signInWizard: {
    description: 'The first step of a sign-in: a wizard uuid to send with the e-mail and password.',
    responses: {
      202: {
        code: 202,
        data: { recaptcha: { enabled: false }, is_qr_available: false, is_password_recovery_available: true },
        done: false,
        uuid: UUID,
        workflow: 'login',
      },
    },
  },
  signIn: {
    description:
      'E-mail and password. Without a second factor: 202 with the tokens. With one: 200 and the next step ' +
      '(`2fa_google_auth`, `2fa_sms_auth`, or `2fa` to choose when both are on; an SMS is sent at once when it is ' +
      'the only one). Wrong passwords count toward the account’s password throttling, shared by every API.',
    request: {
      uuid: UUID,
      email: 'alice@example.com',
      password: 'correct horse battery',
      device_fingerprint: 'eyJ1c2VyX2FnZW50IjoiTW96aWxsYS81LjAifQ==',
    },
    responses: {
      200: { code: 200, data: null, done: false, uuid: UUID, workflow: '2fa_google_auth' },
      202: { code: 202, data: TOKENS, done: true, uuid: UUID, workflow: 'login' },
    },
  },
  signInChooseType: {
    description: 'With both methods on, chooses one; `sms` sends its code now.',
    request: { uuid: UUID, type: 'google' },
    responses: { 200: { code: 200, data: null, done: false, uuid: UUID, workflow: '2fa_google_auth' } },
  },
  signInGoogle: {
    description:
      'The authenticator code (or a backup code) finishes the sign-in. Codes are single-use across every API; ' +
      'wrong ones count toward the account’s lockout (429 once locked).',
    request: { uuid: UUID, code: '123456' },
    responses: { 202: { code: 202, data: TOKENS, done: true, uuid: UUID, workflow: 'login' } },
  },
  signInSms: {
    description: 'The code sent by SMS finishes the sign-in; a code is good for a few attempts and minutes only.',
    request: { uuid: UUID, code: '57448' },
    responses: { 202: { code: 202, data: TOKENS, done: true, uuid: UUID, workflow: 'login' } },
  },
  unauthorizedChallenge: {
    description:
      'Password recovery: a code by e-mail. The answer is the same whether or not the account exists, so it ' +
      'tells no one which addresses have accounts.',
    query: { email: 'alice@example.com' },
    responses: { 200: CHALLENGE },
  },
  confirmChallenge: {
    description:
      'The code of a challenge: a success token, for a password change (with a Bearer token) or a password ' +
      'restore (without). Departure: the seed’s example names the token `token`, its field list `successToken`; ' +
      'Tessera sends both, with the same value.',
    request: { token: UUID, code: '57448' },
    responses: {
      200: {
        token: '3929dfe8-161a-428c-9c71-fde728fe7285',
        successToken: '3929dfe8-161a-428c-9c71-fde728fe7285',
        expiresAt: LATER,
      },
    },
  },
  restorePassword: {
    description: 'A new password with the success token of an unauthorized challenge (header `successToken`); 204.',
    request: { password: 'a new long passphrase' },
  },
  refreshToken: {
    description: 'A new token pair for a refresh token (rotating: using an old one again revokes its family).',
    request: { refreshToken: 'tsr_9c1e…' },
    responses: { 200: TOKENS },
  },
  listTwoFactor: {
    description: 'The two methods B2Core knows (google, sms) and whether each is on for the caller.',
    responses: {
      200: {
        total: 2,
        data: [
          { caption: 'SMS Confirmation', isEnabled: true, name: 'sms' },
          { caption: 'Google Authenticator', isEnabled: false, name: 'google' },
        ],
      },
    },
  },
  getTwoFactor: {
    description: 'One method, google or sms; any other type is 404.',
    responses: { 200: { caption: 'Google Authenticator', isEnabled: false, name: 'google' } },
  },
  enableWizard: {
    description:
      'google: a new key (160 bits; the seed shows 16 characters), pending until a code confirms it; sms: asks ' +
      'for the phone number. 409 when the method is already on.',
    responses: {
      200: {
        code: 200,
        data: { key: 'QLLIU5WTY3UTJGNG5QNMHRLFNNCGTSMZ' },
        done: false,
        uuid: UUID,
        workflow: '2fa_google',
      },
    },
  },
  disableWizard: {
    description:
      'Starts turning a method off: a code of that method finishes it (sms sends its code now). Departure: the ' +
      'seed’s example has `done: true` here; Tessera answers `done: false`, since the code is still to come.',
    responses: { 200: { code: 200, data: null, done: false, uuid: UUID, workflow: '2fa_google' } },
  },
  wizardStep: {
    description:
      'Every wizard step: `{uuid, phone}` sends the SMS code (workflow `phone`); `{uuid, action: "code", code}` ' +
      'finishes an enable or a disable (202, TerminateWorkflow). The google key needs not be sent back.',
    request: { uuid: UUID, action: 'code', code: '123456', key: 'QLLIU5WTY3UTJGNG5QNMHRLFNNCGTSMZ' },
    responses: {
      200: {
        code: 200,
        data: {
          status: 0,
          sent: 1,
          expiredAt: '2026-12-04T10:10:00.000000Z',
          sentAt: '2026-12-04T10:00:00.000000Z',
          recipient: {
            class: 'B2B\\TCA\\Confirmations\\Recipients\\PhoneRecipient',
            phone: '+359888123456',
            template: 'default',
            data: null,
            type: 2,
            method: 'phone',
          },
        },
        done: false,
        uuid: UUID,
        workflow: 'phone',
      },
      202: TERMINATED,
    },
  },
  challenge: {
    description:
      'Proves presence again before a password change: a code by e-mail (default), by SMS, or with `?type=google` ' +
      'the authenticator (no send: `sentAt` and `recipient` null).',
    query: { type: 'email' },
    responses: { 200: CHALLENGE },
  },
  changePassword: {
    description: 'A new password with the success token of a challenge (header `successToken`); 204.',
    request: { password: 'a new long passphrase' },
  },
  listChanges: {
    description:
      'The changes of the caller’s methods, paged, newest first by default. Departure: `id` is the change’s ' +
      'number (1, 2, 3, … over the whole server, so a user’s list has gaps), the integer the detail route takes.',
    query: { limit: 10, sort_order: 'desc', 'filter[provider]': 'sms' },
    responses: { 200: { total: 1, data: [CHANGE] } },
  },
  getChange: {
    description: 'One change of the caller, by the integer id of the list; anything else is 404.',
    responses: { 200: CHANGE },
  },
};
