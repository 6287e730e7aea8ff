import { Type } from 'typebox';
import { DateTime } from './formats.js';

/** Every security event the audit trail records (the core's SecurityEvent union names the same). */
export const AUDIT_ACTIONS = [
  'sign_in.password_ok',
  'sign_in.password_failed',
  'sign_in.second_factor_ok',
  'sign_in.second_factor_failed',
  'lockout.started',
  'lockout.cleared',
  'password.changed',
  'password.reset',
  'api_token.created',
  'api_token.first_used',
  'api_token.revoked',
  'sessions.revoked',
  'admin.account',
  'settings.changed',
  'key.rotated',
  'webauthn.clone_warning',
  'factor.changed',
  'destination_verification.started',
  'destination_verification.finished',
  'audit.pruned',
] as const;

export const AuditAction = Type.Enum([...AUDIT_ACTIONS], { description: 'What happened (see docs/operations.md).' });

const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, hex.' });
const Seq = Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 });

export const AuditEntry = Type.Object({
  seq: Type.Integer({ description: 'The place in the chain: 1, 2, 3, … with no gap.' }),
  createdAt: DateTime,
  actorKind: Type.Enum(['user', 'anonymous', 'system'], {
    description:
      'user: a signed-in account (actorId); anonymous: not signed in; system: the command line or the server.',
  }),
  actorId: Type.Union([Type.String(), Type.Null()]),
  action: AuditAction,
  targetUserId: Type.Union([Type.String(), Type.Null()], { description: 'The account the event is about.' }),
  clientIp: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown(), { description: 'Small details; never a secret or a code.' }),
  prevHash: Hash,
  hash: Hash,
});

export const AdminAuditQuery = Type.Object(
  {
    actorId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    userId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'The account the events are about.' }),
    ),
    action: Type.Optional(AuditAction),
    since: Type.Optional(DateTime),
    until: Type.Optional(DateTime),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    before: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 9_007_199_254_740_991,
        description: 'A page’s `next`: the entries older than it.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const AuditPage = Type.Object({
  items: Type.Array(AuditEntry),
  next: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Pass as `before` for the next (older) page; null on the last page.',
  }),
});

export const AuditCheckpoint = Type.Object({
  seq: Seq,
  hash: Hash,
  createdAt: DateTime,
  kid: Type.String({ description: 'The key that signed it (one of `keys`).' }),
  signature: Type.String({
    description: 'Compact JWS (EdDSA, Ed25519) whose payload is the JSON {"createdAt","hash","seq"} with keys sorted.',
  }),
});

export const AuditJwk = Type.Object(
  {
    kty: Type.String(),
    crv: Type.Optional(Type.String()),
    x: Type.Optional(Type.String()),
    kid: Type.Optional(Type.String()),
    alg: Type.Optional(Type.String()),
    use: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

export const AuditCheckpoints = Type.Object({
  keys: Type.Array(AuditJwk, { description: 'The public keys (JWK, Ed25519) that sign checkpoints.' }),
  checkpoints: Type.Array(AuditCheckpoint, { description: 'Newest first.' }),
});

export const AuditCheckpointsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) },
  { additionalProperties: false },
);
