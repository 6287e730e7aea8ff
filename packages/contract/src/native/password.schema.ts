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
});

export const PasswordResetBody = Type.Object(
  { successToken: TokenString, newPassword: Password },
  { additionalProperties: false },
);

export const PasswordChangeBody = PasswordResetBody;
