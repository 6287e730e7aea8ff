import { type Static, Type } from 'typebox';
import { ErrorBody } from './error.schema.js';

/** `GET /health`: the process answers. */
export const Health = Type.Object({ status: Type.Literal('ok') });

/** One dependency as `/ready` found it. */
export const DependencyCheck = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('degraded'), Type.Literal('down')], {
    description: '`up`; `degraded` (Tessera serves without it, with less); `down` (Tessera cannot serve).',
  }),
  message: Type.Optional(Type.String({ description: 'What is wrong, for people; absent when up.' })),
  latencyMs: Type.Optional(Type.Integer({ description: 'How long the check took.' })),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'When it entered this state (Redis).' })),
  rateLimits: Type.Optional(
    Type.Union([Type.Literal('in_memory'), Type.Literal('refused')], {
      description: 'Redis not up: the rate limits are counted in each process, or their routes answer 503.',
    }),
  ),
});
export type DependencyCheck = Static<typeof DependencyCheck>;

/**
 * Each dependency by name: `database` always; others (`redis`) when configured. A dependency
 * added later appears as another key of the same shape.
 */
export const ReadinessChecks = Type.Object({ database: DependencyCheck }, { additionalProperties: DependencyCheck });
export type ReadinessChecks = Static<typeof ReadinessChecks>;

/** `GET /ready` 200: every dependency Tessera needs answers (`degraded`: one it can do without does not). */
export const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('degraded')]),
  checks: ReadinessChecks,
});

/** `GET /ready` 503: a dependency Tessera needs is down; `error` is the usual error body (NOT_READY). */
export const NotReady = Type.Object({
  status: Type.Literal('not_ready'),
  checks: ReadinessChecks,
  error: ErrorBody.properties.error,
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
