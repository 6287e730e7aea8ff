import { Type } from 'typebox';
import { BackupCodeSet } from './backup-codes.schema.js';
import { BeginTotpBody, Factor, TotpAlgorithm } from './factor.schema.js';
import { Method, ProcedureView, SentCode } from './two-factor-common.schema.js';

export const EnableBody = Type.Object(
  {
    method: Method,
    phone: Type.Optional(Type.String({ maxLength: 32, description: 'SMS: E.164 number, like +359888123456.' })),
    successToken: Type.Optional(
      Type.String({
        maxLength: 128,
        description:
          'SMS: a success token for change_phone, needed when the account has an active factor and the number is not its confirmed one.',
      }),
    ),
    totp: Type.Optional(BeginTotpBody),
  },
  { additionalProperties: false },
);

export const EnableStart = Type.Intersect([
  ProcedureView,
  Type.Object({
    factorId: Type.String(),
    totp: Type.Optional(
      Type.Object({
        secret: Type.String(),
        otpauthUri: Type.String(),
        qrPngDataUrl: Type.String(),
        qrSvg: Type.String(),
        params: Type.Object({ algorithm: TotpAlgorithm, digits: Type.Integer(), period: Type.Integer() }),
      }),
    ),
    delivery: Type.Optional(SentCode),
    backupCodes: Type.Optional(BackupCodeSet),
  }),
]);

export const EnableResult = Type.Intersect([ProcedureView, Type.Object({ factor: Factor })]);
