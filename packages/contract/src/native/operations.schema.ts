import { Type } from 'typebox';
import { ErrorBody } from './error.schema.js';

/** `GET /health`: the process answers. */
export const Health = Type.Object({ status: Type.Literal('ok') });

/** One dependency on `/ready`: `ok`, `degraded` (served without it, see `rateLimits`) or `down`. */
export const ReadinessCheck = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')]),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'When it entered this state.' })),
  reason: Type.Optional(Type.String({ description: 'Why it is down.' })),
  rateLimits: Type.Optional(
    Type.Union([Type.Literal('in_memory'), Type.Literal('refused')], {
      description: 'Redis degraded: the rate limits are counted in each process, or their routes answer 503.',
    }),
  ),
});

/** Each dependency's state; `redis` only when one is configured. */
export const ReadinessChecks = Type.Object({
  database: ReadinessCheck,
  redis: Type.Optional(ReadinessCheck),
});

/** `GET /ready`: the database answers and every migration is applied; `degraded` when Redis is not. */
export const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('degraded')]),
  checks: ReadinessChecks,
});

/** `GET /ready` refused: the native error body, with each dependency's state beside it. */
export const NotReady = Type.Object({
  error: ErrorBody.properties.error,
  checks: ReadinessChecks,
});

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
