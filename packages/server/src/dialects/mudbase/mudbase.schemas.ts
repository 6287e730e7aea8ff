import { Type } from 'typebox';

/** Mudbase's error schema (its OpenAPI spec): every failure of this dialect has this body. */
export const MudbaseError = Type.Object({
  error: Type.String(),
  code: Type.String(),
  details: Type.Optional(
    Type.Object(
      { field: Type.String({ description: 'The request field at fault (`body.token`).' }) },
      { description: 'What the failure concerns, where Tessera knows it; absent otherwise (never null).' },
    ),
  ),
  timestamp: Type.String({ format: 'date-time' }),
  path: Type.String(),
  requestId: Type.String(),
  retryAfter: Type.Optional(Type.Integer({ description: 'Seconds to wait (429 only).' })),
});

export const MudbaseLoginBody = Type.Object({
  email: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  totpToken: Type.Optional(
    Type.String({
      maxLength: 32,
      description:
        'Tessera extension (Mudbase documents no login step): the authenticator code, or a backup code, of an account with 2FA.',
    }),
  ),
});

const MudbaseUser = Type.Object({
  _id: Type.String({ description: "The account's id." }),
  email: Type.Optional(Type.String({ description: 'Absent for an account without an e-mail address.' })),
  role: Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member'), Type.Literal('viewer')], {
    description: "Tessera's `admin` is `admin`, its `user` is `member`; `owner` and `viewer` are never sent.",
  }),
  twoFactorEnabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
});

const Tokens = {
  token: Type.String({ description: 'JWT access token: `Authorization: Bearer <token>`.' }),
  refreshToken: Type.String(),
  expiresIn: Type.Integer({ description: 'Seconds the access token is valid.' }),
};

export const MudbaseLoginResponse = Type.Object({ message: Type.String(), ...Tokens, user: MudbaseUser });

export const MudbaseRefreshBody = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 512 }) });
export const MudbaseRefreshResponse = Type.Object({ message: Type.String(), ...Tokens });

export const MudbaseSetupResponse = Type.Object({
  secret: Type.String({ description: 'Base32 key, pending until POST /api/users/2fa/verify.' }),
  qrCode: Type.String({ description: 'PNG data URL of the otpauth:// URI.' }),
  manualEntryKey: Type.String({ description: 'The key in groups of four, for typing by hand.' }),
  backupCodes: Type.Array(Type.String(), { description: 'Usable once the authenticator is confirmed.' }),
});

export const MudbaseVerifyBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 32 }) });
export const MudbaseDisableBody = Type.Object({
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  token: Type.String({ minLength: 1, maxLength: 32 }),
});
export const MudbaseMessage = Type.Object({ message: Type.String() });
