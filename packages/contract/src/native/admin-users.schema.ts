import { Type } from 'typebox';
import { Offset, Uuid } from './formats.js';
import { Method } from './two-factor-common.schema.js';

export const UserIdParams = Type.Object({ userId: Uuid });

export const PagingQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);

const UserTwoFactorState = Type.Object({
  id: Uuid,
  username: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  role: Type.String(),
  twoFactorEnabled: Type.Boolean(),
  methods: Type.Array(Method),
});

export const UserList = Type.Object({ items: Type.Array(UserTwoFactorState), total: Type.Integer() });

export const ResetResult = Type.Object({ removed: Type.Array(Method) });
