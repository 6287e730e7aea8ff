import { Type } from 'typebox';
import { DateTime } from './formats.js';
import { Method } from './two-factor-common.schema.js';

const Requirement = Type.Object({
  status: Type.Union([
    Type.Literal('not_required'),
    Type.Literal('satisfied'),
    Type.Literal('grace'),
    Type.Literal('enforced'),
  ]),
  enforcedFrom: Type.Optional(DateTime),
});

export const TwoFactorStatus = Type.Object({
  methods: Type.Array(Method),
  backupCodesRemaining: Type.Integer(),
  requirement: Requirement,
  issuer: Type.String({
    description: "The issuer name authenticator apps show for this account (the account's own, or the system's).",
  }),
});
