import { Type } from 'typebox';
import { Password } from './account.schema.js';
import { DateTime, TokenString, Uuid } from './formats.js';

export const RecoveryBody = Type.Object(
  { login: Type.String({ minLength: 1, maxLength: 320, description: 'Username or e-mail address.' }) },
  { additionalProperties: false },
);

export const RecoveryStart = Type.Object({
  challengeId: Uuid,
  state: Type.Literal('awaiting_code'),
  channel: Type.Literal('email'),
  sentAt: DateTime,
  expiresAt: DateTime,
  digits: Type.Integer({ minimum: 4, maximum: 10, description: 'How many digits the e-mailed code has.' }),
});

export const PasswordResetBody = Type.Object(
  { successToken: TokenString, newPassword: Password },
  { additionalProperties: false },
);

/** The ways a signed-in user confirms a sensitive change of their account (see Reauthentication). */
export const ReauthenticationFields = {
  successToken: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'From a challenge for this operation.' }),
  ),
  currentPassword: Type.Optional(
    Type.String({ minLength: 1, maxLength: 256, description: 'Instead of a success token: the current password.' }),
  ),
  code: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 32,
      description: 'With currentPassword, when the account has 2FA: a current authenticator app code or a backup code.',
    }),
  ),
  method: Type.Optional(
    Type.Union([Type.Literal('totp'), Type.Literal('backup_codes')], {
      description: 'Which factor `code` is from (default: the authenticator app if active, else backup codes).',
    }),
  ),
};

export const PasswordChangeBody = Type.Object(
  { newPassword: Password, ...ReauthenticationFields },
  { additionalProperties: false },
);
