import { Type } from 'typebox';
import { DateTime, Uuid } from './formats.js';

export const Method = Type.Union(
  [
    Type.Literal('totp'),
    Type.Literal('sms'),
    Type.Literal('email'),
    Type.Literal('backup_codes'),
    Type.Literal('webauthn'),
  ],
  {
    description:
      'totp: authenticator app. sms, email: codes sent by a provider ("restricted" authenticators in NIST SP ' +
      '800-63B). backup_codes: single-use codes. webauthn: security keys and passkeys (phishing-resistant).',
  },
);

/** Any second-factor code: app and delivered codes are 4-10 digits, backup codes may carry a dash. */
export const AnyCode = Type.String({
  pattern: '^[0-9][0-9 -]{2,18}[0-9]$',
  description: 'The code: digits (a backup code may be written with a dash).',
});

export const CodeOnlyBody = Type.Object({ code: AnyCode }, { additionalProperties: false });

export const SentCode = Type.Object({
  id: Uuid,
  channel: Type.Union([Type.Literal('sms'), Type.Literal('email')]),
  sentAt: DateTime,
  expiresAt: DateTime,
  destination: Type.String({ description: 'Masked phone number or address.' }),
  digits: Type.Integer({ minimum: 4, maximum: 10, description: 'How many digits the code has.' }),
});

export const SuccessTokenOperation = Type.Union([
  Type.Literal('change_password'),
  Type.Literal('reset_password'),
  Type.Literal('disable_factor'),
  Type.Literal('regenerate_backup_codes'),
  Type.Literal('change_phone'),
  Type.Literal('change_email'),
  Type.Literal('remove_webauthn_credential'),
]);

export const SuccessToken = Type.Object({
  successToken: Type.String({ description: 'Single use, valid 5 minutes, for this operation and target only.' }),
  operation: SuccessTokenOperation,
  target: Type.Union([Type.String(), Type.Null()]),
  expiresAt: DateTime,
});

/** An enable or disable procedure. */
export const ProcedureView = Type.Object({
  flowId: Uuid,
  method: Method,
  state: Type.Union(
    [
      Type.Literal('awaiting_code'),
      Type.Literal('enabled'),
      Type.Literal('disabled'),
      Type.Literal('failed'),
      Type.Literal('expired'),
    ],
    {
      description:
        'awaiting_code: waiting for a code (every flow names this state so); enabled or disabled: done; ' +
        'failed: too many wrong codes; expired: not finished in time.',
    },
  ),
  attempts: Type.Integer(),
  expiresAt: DateTime,
});
