import { Type } from 'typebox';
import { Password } from './account.schema.js';
import { Method } from './two-factor-common.schema.js';

export const SignInBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Password,
    deviceToken: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'From an earlier "remember this device".' }),
    ),
  },
  { additionalProperties: false },
);

/** A "remember this device" token, issued or rotated by a sign-in. */
export const RememberedDevice = Type.Object({
  deviceToken: Type.String({ description: 'Send it as deviceToken at the next sign-in to skip the second factor.' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

/**
 * The one answer of every route that issues tokens: sign-in without a second factor, the
 * second-factor step and refresh. Flat, OAuth-like field names.
 */
export const TokenResponse = Type.Object(
  {
    accessToken: Type.String({
      description: 'JWT (EdDSA, with `kid`), valid 15 minutes. Send as `Authorization: Bearer …`.',
    }),
    refreshToken: Type.String({ description: 'Opaque; rotates on every use. Reusing an old one revokes the session.' }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'Seconds until the access token expires.' }),
    device: Type.Optional(RememberedDevice),
  },
  { description: 'Tokens. `device` only when a sign-in used or asked to remember this device.' },
);

/** Submit a code form on its last digit, not before: an app may show 8 digits, SMS codes may be longer. */
export const CodeDigits = Type.Object(
  {
    totp: Type.Optional(Type.Integer({ minimum: 1 })),
    sms: Type.Optional(Type.Integer({ minimum: 1 })),
    email: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { description: 'How many digits a code of each method has (methods whose codes all have one length).' },
);

export const SignInResponse = Type.Union([
  Type.Intersect([Type.Object({ status: Type.Literal('signed_in') }), TokenResponse]),
  Type.Object({
    status: Type.Literal('second_factor_required'),
    flowId: Type.String({ format: 'uuid' }),
    state: Type.Literal('awaiting_code'),
    expiresAt: Type.String({ format: 'date-time' }),
    methods: Type.Array(Method, { description: "The account's active methods; backup_codes is always accepted." }),
    codeDigits: Type.Optional(CodeDigits),
  }),
]);

export const FlowIdParams = Type.Object({ flowId: Type.String({ format: 'uuid' }) });

export const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const IntrospectBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 4096, description: 'An access token or an API token.' }),
    token_type_hint: Type.Optional(Type.String({ maxLength: 32, description: 'Ignored: the token says what it is.' })),
  },
  { additionalProperties: false },
);

/** RFC 7662 §2.2. */
export const Introspection = Type.Object({
  active: Type.Boolean(),
  token_type: Type.Optional(Type.Union([Type.Literal('access_token'), Type.Literal('api_token')])),
  sub: Type.Optional(Type.String({ description: 'The account id.' })),
  username: Type.Optional(Type.String()),
  scope: Type.Optional(Type.Union([Type.Literal('read'), Type.Literal('write')])),
  role: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('admin')])),
  iat: Type.Optional(Type.Integer()),
  exp: Type.Optional(Type.Integer()),
});
