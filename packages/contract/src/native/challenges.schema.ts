import { Type } from 'typebox';
import { DateTime, Uuid } from './formats.js';
import { Method, SentCode, SuccessTokenOperation } from './two-factor-common.schema.js';

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
});

export const ChallengeIdParams = Type.Object({ challengeId: Uuid });
