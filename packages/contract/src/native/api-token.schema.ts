import { Type } from 'typebox';

export const CreateApiTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    scope: Type.Optional(
      Type.Union([Type.Literal('write'), Type.Literal('read')], {
        description: '`read` tokens can read but change nothing. Default `write`.',
      }),
    ),
    twilio: Type.Optional(
      Type.Boolean({
        description:
          'Also answer the SIDs that present the token to the Twilio Verify dialect (`twilio` in the answer). ' +
          'Any token works there; this only shows how.',
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
  twilio: Type.Optional(
    Type.Object(
      {
        accountSid: Type.String({ pattern: '^AC[0-9a-f]{32}$', description: 'With the token as the auth token.' }),
        apiKeySid: Type.String({ pattern: '^SK[0-9a-f]{32}$', description: 'With the token as the API key secret.' }),
      },
      {
        description:
          'When asked for: HTTP Basic credentials for the Twilio Verify dialect (`/v2/…`), the token being the ' +
          'password. Only an admin’s token is served there.',
      },
    ),
  ),
});

export const ApiTokenIdParams = Type.Object({ tokenId: Type.String({ format: 'uuid' }) });
