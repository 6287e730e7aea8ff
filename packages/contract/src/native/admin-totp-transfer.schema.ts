import { Type } from 'typebox';
import { TotpAlgorithm } from './factor.schema.js';

export const TotpExport = Type.Object({
  secret: Type.String(),
  otpauthUri: Type.String(),
  algorithm: TotpAlgorithm,
  digits: Type.Integer(),
  period: Type.Integer(),
});

export const TotpImportBody = Type.Object(
  {
    secret: Type.String({ minLength: 16, maxLength: 128, description: 'Base32 key.' }),
    algorithm: Type.Optional(TotpAlgorithm),
    digits: Type.Optional(Type.Union([Type.Literal(6), Type.Literal(8)])),
    period: Type.Optional(Type.Integer({ minimum: 15, maximum: 300 })),
    replace: Type.Optional(
      Type.Boolean({
        description:
          'Replace an authenticator the user already has (removed in the same transaction). Without it, a user ' +
          'with one answers 409 FACTOR_ALREADY_ACTIVE.',
      }),
    ),
  },
  { additionalProperties: false },
);
