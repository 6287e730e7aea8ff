import { Type } from 'typebox';
import { Method } from './two-factor-common.schema.js';

/** Digits only; the exact length (6 or 8) is checked against the factor. */
const Code = Type.String({ pattern: '^[0-9]{6,8}$', description: 'The current code, 6 or 8 digits.' });

export const CodeBody = Type.Object({ code: Code }, { additionalProperties: false });

export const OptionalCodeBody = Type.Object({ code: Type.Optional(Code) }, { additionalProperties: false });

export const TotpAlgorithm = Type.Union([Type.Literal('SHA1'), Type.Literal('SHA256'), Type.Literal('SHA512')]);

export const BeginTotpBody = Type.Object(
  {
    algorithm: Type.Optional(TotpAlgorithm),
    digits: Type.Optional(Type.Union([Type.Literal(6), Type.Literal(8)])),
    period: Type.Optional(Type.Integer({ minimum: 15, maximum: 300 })),
  },
  {
    additionalProperties: false,
    description:
      'Defaults SHA1, 6 digits, 30 s. Google Authenticator and most apps ignore algorithm, digits and period: ' +
      'change them only if every authenticator your users have honours them.',
  },
);

export const Factor = Type.Object({
  id: Type.String({ format: 'uuid' }),
  method: Method,
  status: Type.Union([Type.Literal('pending'), Type.Literal('active')], {
    description: 'pending: enrolled, waiting for its first code; active: in use.',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  activatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  details: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
});

export const TotpEnrollment = Type.Object({
  factor: Factor,
  secret: Type.String({ description: 'Base32 key, for typing into an app by hand. Shown only here.' }),
  otpauthUri: Type.String(),
  qrPngDataUrl: Type.String({ description: 'data:image/png;base64,… of the otpauth URI.' }),
  qrSvg: Type.String({ description: 'The same QR code as SVG markup.' }),
  params: Type.Object({
    algorithm: TotpAlgorithm,
    digits: Type.Integer(),
    period: Type.Integer(),
  }),
});

export const FactorIdParams = Type.Object({ factorId: Type.String({ format: 'uuid' }) });

export const VerifyResult = Type.Object({ valid: Type.Boolean() });

export const ServerVerifyBody = Type.Union(
  [
    Type.Object(
      { username: Type.String({ minLength: 1, maxLength: 64 }), code: Code },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        externalId: Type.String({
          pattern: '^[\\x21-\\x7e]{1,128}$',
          description: "The platform's own id for the user, as given when the account was created.",
        }),
        code: Code,
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'The user by username or by externalId (one of them), and the code.' },
);
