import { Type } from 'typebox';

export const CreateApiTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    scope: Type.Optional(
      Type.Union([Type.Literal('write'), Type.Literal('read')], {
        description: '`read` tokens can read but change nothing. Default `write`.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ApiToken = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  scope: Type.Union([Type.Literal('write'), Type.Literal('read')]),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the token was last used, to the minute.',
  }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const CreatedApiToken = Type.Object({
  token: Type.String({ description: 'Shown once; only a keyed hash is stored.' }),
  apiToken: ApiToken,
});

export const ApiTokenIdParams = Type.Object({ tokenId: Type.String({ format: 'uuid' }) });
