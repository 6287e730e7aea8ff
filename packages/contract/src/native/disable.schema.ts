import { Type } from 'typebox';
import { TokenString } from './formats.js';
import { AnyCode, Method, ProcedureView, SentCode } from './two-factor-common.schema.js';
import { WebAuthnCeremony, WebAuthnResponse } from './webauthn.schema.js';

export const DisableBody = Type.Object({ method: Method }, { additionalProperties: false });

export const DisableStart = Type.Intersect([
  ProcedureView,
  Type.Object({
    delivery: Type.Optional(SentCode),
    webauthn: Type.Optional(WebAuthnCeremony),
  }),
]);

export const DisableConfirmBody = Type.Union([
  Type.Object({ code: AnyCode }, { additionalProperties: false }),
  Type.Object({ successToken: TokenString }, { additionalProperties: false }),
  Type.Object({ credential: WebAuthnResponse }, { additionalProperties: false }),
]);
