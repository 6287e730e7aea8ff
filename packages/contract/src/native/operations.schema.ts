import { Type } from 'typebox';

/** `GET /health`: the process answers. */
export const Health = Type.Object({ status: Type.Literal('ok') });

/** `GET /ready`: the database answers and every migration is applied. */
export const Readiness = Type.Object({ status: Type.Literal('ready') });

/** A public key of `/.well-known/jwks.json` (RFC 7517); fields beyond these are passed through. */
export const PublicJwk = Type.Object(
  {
    // Optional only as JWK types them: Tessera always sets kty, kid, alg and use.
    kty: Type.Optional(Type.String({ description: 'OKP.' })),
    kid: Type.Optional(Type.String({ description: 'The `kid` in the header of the access tokens it verifies.' })),
    alg: Type.Optional(Type.String({ description: 'EdDSA.' })),
    use: Type.Optional(Type.String({ description: 'sig.' })),
    crv: Type.Optional(Type.String()),
    x: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

export const Jwks = Type.Object({
  keys: Type.Array(PublicJwk, {
    description: 'The current key and any rotated-out key whose tokens may still be live.',
  }),
});
