import { Type } from 'typebox';
import { DateTime, Uuid } from './formats.js';
import { AnyCode, Method, SentCode, SuccessTokenOperation } from './two-factor-common.schema.js';
import { WebAuthnCeremony, WebAuthnResponse } from './webauthn.schema.js';

export const ChallengeBody = Type.Object(
  {
    operation: SuccessTokenOperation,
    target: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    method: Type.Optional(Method),
  },
  { additionalProperties: false },
);

export const ChallengeView = Type.Object({
  challengeId: Uuid,
  operation: SuccessTokenOperation,
  method: Method,
  state: Type.Union(
    [Type.Literal('awaiting_code'), Type.Literal('passed'), Type.Literal('failed'), Type.Literal('expired')],
    { description: 'awaiting_code: waiting for a code; passed: answered, the success token was issued.' },
  ),
  attempts: Type.Integer(),
  expiresAt: DateTime,
  delivery: Type.Optional(SentCode),
  codeDigits: Type.Optional(
    Type.Integer({ minimum: 1, description: 'How many digits the code has (TOTP, SMS and e-mail).' }),
  ),
  webauthn: Type.Optional(WebAuthnCeremony),
});

/** A code of the challenge's method, or, for webauthn, the browser's assertion. */
export const ChallengeConfirmBody = Type.Union([
  Type.Object({ code: AnyCode }, { additionalProperties: false }),
  Type.Object({ credential: WebAuthnResponse }, { additionalProperties: false }),
]);

export const ChallengeIdParams = Type.Object({ challengeId: Uuid });
