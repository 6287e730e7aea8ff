import { Type } from 'typebox';
import { DateTime, Offset, Uuid } from './formats.js';
import { Method } from './two-factor-common.schema.js';

export const HistoryEntry = Type.Object({
  id: Uuid,
  userId: Type.Union([Type.String(), Type.Null()]),
  userPseudonym: Type.Union([Type.String(), Type.Null()], {
    description: 'For a deleted account: what stands for it (the same in all its entries); userId is then null.',
  }),
  method: Type.String({
    description:
      'A second-factor method (totp, sms, email, backup_codes), `second_factor` (an unlock), `policy`, `account` ' +
      "(an admin's change of the account), `phone`, or `destination_verification` (a code sent to a number or address " +
      'of no account, through the Twilio Verify dialect: `create` when sent, `update` with its outcome); with action ' +
      '`contact_change`, `email` or `phone` says which contact detail changed.',
  }),
  action: Type.Enum(
    [
      'enable',
      'disable',
      'reset',
      'regenerate',
      'policy',
      'export',
      'import',
      'unlock',
      'contact_change',
      'create',
      'update',
      'delete',
    ],
    {
      description:
        'For method `account`: create, update, disable, enable, delete; `contact_change` for an e-mail or phone change.',
    },
  ),
  enabled: Type.Boolean(),
  actor: Type.Enum(['self', 'admin', 'system'], {
    description: 'self: the account itself; admin: an admin, for another account; system: the command line.',
  }),
  actorId: Type.Union([Type.String(), Type.Null()]),
  clientIp: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  createdAt: DateTime,
});

/**
 * What a history entry is about: a method, `policy` (the system-wide policy), `second_factor`
 * (an unlock), `account` (an admin's account change) or `phone` (a phone number change).
 */
const HistoryMethod = Type.Union(
  [
    ...Method.anyOf,
    Type.Literal('policy'),
    Type.Literal('second_factor'),
    Type.Literal('account'),
    Type.Literal('phone'),
  ],
  {
    description:
      'totp, sms, email, backup_codes; policy (a change of the 2FA policy); second_factor (an unlock); account (an admin created, changed, disabled, enabled or deleted the account); phone (a phone number change).',
  },
);

export const HistoryQuery = Type.Object(
  {
    method: Type.Optional(HistoryMethod),
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
