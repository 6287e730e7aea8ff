import { Type } from 'typebox';
import { DateTime, Offset, Uuid } from './formats.js';

export const HistoryEntry = Type.Object({
  id: Uuid,
  userId: Type.Union([Type.String(), Type.Null()]),
  userPseudonym: Type.Union([Type.String(), Type.Null()], {
    description: 'For a deleted account: what stands for it (the same in all its entries); userId is then null.',
  }),
  method: Type.String({ description: 'A second-factor method, `second_factor` (unlock), `policy`, or `account`.' }),
  action: Type.String({
    description:
      'enable, disable, reset, regenerate, policy, export, import, unlock; for method `account`: create, update, disable, enable, delete',
  }),
  enabled: Type.Boolean(),
  actor: Type.String({ description: 'self, admin or system' }),
  actorId: Type.Union([Type.String(), Type.Null()]),
  clientIp: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  createdAt: DateTime,
});

export const HistoryQuery = Type.Object(
  {
    method: Type.Optional(Type.String({ maxLength: 32 })),
    enabled: Type.Optional(Type.Boolean()),
    from: Type.Optional(DateTime),
    to: Type.Optional(DateTime),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);

export const AdminHistoryQuery = Type.Object(
  { ...HistoryQuery.properties, userId: Type.Optional(Uuid) },
  { additionalProperties: false },
);

export const HistoryPage = Type.Object({
  items: Type.Array(HistoryEntry),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export const HistoryIdParams = Type.Object({ entryId: Uuid });
