import { Type } from 'typebox';

const Issuer = Type.String({
  pattern: '^[A-Za-z0-9 ._-]{1,32}$',
  description: '1-32 letters, digits, spaces, ".", "_" or "-".',
});

export const IssuerBody = Type.Object({ issuer: Issuer }, { additionalProperties: false });
export const UserIssuerBody = Type.Object(
  { issuer: Type.Union([Issuer, Type.Null()], { description: 'null removes the override.' }) },
  { additionalProperties: false },
);
export const IssuerView = Type.Object({ issuer: Type.String() });
export const UserIssuerView = Type.Object({
  issuer: Type.Union([Type.String(), Type.Null()]),
  effectiveIssuer: Type.String(),
});
