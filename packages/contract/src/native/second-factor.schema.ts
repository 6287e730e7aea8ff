import { Type } from 'typebox';
import { AnyCode, Method, SentCode } from './two-factor-common.schema.js';

export const SelectMethodBody = Type.Object({ method: Method }, { additionalProperties: false });

export const SelectMethodResult = Type.Object({ method: Method, delivery: Type.Optional(SentCode) });

export const SecondFactorBody = Type.Object(
  {
    code: AnyCode,
    method: Type.Optional(Method),
    rememberDevice: Type.Optional(Type.Boolean()),
    deviceLabel: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
