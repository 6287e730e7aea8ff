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
  state: Type.String(),
  attempts: Type.Integer(),
  expiresAt: DateTime,
  delivery: Type.Optional(SentCode),
});

export const ChallengeIdParams = Type.Object({ challengeId: Uuid });
