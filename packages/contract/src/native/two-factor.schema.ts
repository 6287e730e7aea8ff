import { type Static, Type } from 'typebox';
import { Password } from './account.schema.js';
import { BeginTotpBody, Factor, TotpAlgorithm } from './factor.schema.js';
import { TokenPair } from './session.schema.js';

const DateTime = Type.String({ format: 'date-time' });
const Uuid = Type.String({ format: 'uuid' });

export const Method = Type.Union(
  [Type.Literal('totp'), Type.Literal('sms'), Type.Literal('email'), Type.Literal('backup_codes')],
  {
    description:
      'totp: authenticator app. sms, email: codes sent by a provider ("restricted" authenticators in NIST SP ' +
      '800-63B). backup_codes: single-use codes.',
  },
);

/** Any second-factor code: app and delivered codes are 4-10 digits, backup codes may carry a dash. */
export const AnyCode = Type.String({
  pattern: '^[0-9][0-9 -]{2,18}[0-9]$',
  description: 'The code: digits (a backup code may be written with a dash).',
});

export const SentCode = Type.Object({
  id: Uuid,
  channel: Type.Union([Type.Literal('sms'), Type.Literal('email')]),
  sentAt: DateTime,
  expiresAt: DateTime,
  destination: Type.String({ description: 'Masked phone number or address.' }),
});

export const SuccessTokenOperation = Type.Union([
  Type.Literal('change_password'),
  Type.Literal('reset_password'),
  Type.Literal('disable_factor'),
  Type.Literal('regenerate_backup_codes'),
]);

export const SuccessToken = Type.Object({
  successToken: Type.String({ description: 'Single use, valid 5 minutes, for this operation and target only.' }),
  operation: SuccessTokenOperation,
  target: Type.Union([Type.String(), Type.Null()]),
  expiresAt: DateTime,
});

const TokenString = Type.String({ minLength: 1, maxLength: 200 });

export const BackupCodeSet = Type.Object({
  codes: Type.Array(Type.String(), { description: 'Shown once: store them somewhere safe.' }),
  remaining: Type.Integer(),
  createdAt: DateTime,
});

export const ProcedureView = Type.Object({
  flowId: Uuid,
  method: Method,
  state: Type.String({ description: 'awaiting_code, enabled, disabled, awaiting_confirmation, failed, expired' }),
  attempts: Type.Integer(),
  expiresAt: DateTime,
});

export const EnableBody = Type.Object(
  {
    method: Method,
    phone: Type.Optional(Type.String({ maxLength: 32, description: 'SMS: E.164 number, like +359888123456.' })),
    totp: Type.Optional(BeginTotpBody),
  },
  { additionalProperties: false },
);
export type EnableBody = Static<typeof EnableBody>;

export const EnableStart = Type.Intersect([
  ProcedureView,
  Type.Object({
    factorId: Type.String(),
    totp: Type.Optional(
      Type.Object({
        secret: Type.String(),
        otpauthUri: Type.String(),
        qrPngDataUrl: Type.String(),
        qrSvg: Type.String(),
        params: Type.Object({ algorithm: TotpAlgorithm, digits: Type.Integer(), period: Type.Integer() }),
      }),
    ),
    delivery: Type.Optional(SentCode),
    backupCodes: Type.Optional(BackupCodeSet),
  }),
]);

export const EnableResult = Type.Intersect([ProcedureView, Type.Object({ factor: Factor })]);

export const CodeOnlyBody = Type.Object({ code: AnyCode }, { additionalProperties: false });

export const DisableBody = Type.Object({ method: Method }, { additionalProperties: false });

export const DisableStart = Type.Intersect([ProcedureView, Type.Object({ delivery: Type.Optional(SentCode) })]);

export const DisableConfirmBody = Type.Union([
  Type.Object({ code: AnyCode }, { additionalProperties: false }),
  Type.Object({ successToken: TokenString }, { additionalProperties: false }),
]);

export const ChallengeBody = Type.Object(
  {
    operation: SuccessTokenOperation,
    target: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
    method: Type.Optional(Method),
  },
  { additionalProperties: false },
);

export const ChallengeView = Type.Object({
  challengeId: Uuid,
  operation: SuccessTokenOperation,
  method: Method,
  state: Type.String(),
  attempts: Type.Integer(),
  expiresAt: DateTime,
  delivery: Type.Optional(SentCode),
});

export const ChallengeIdParams = Type.Object({ challengeId: Uuid });

export const RecoveryBody = Type.Object(
  { login: Type.String({ minLength: 1, maxLength: 320, description: 'Username or e-mail address.' }) },
  { additionalProperties: false },
);

export const RecoveryStart = Type.Object({
  challengeId: Uuid,
  state: Type.Literal('awaiting_code'),
  channel: Type.Literal('email'),
  sentAt: DateTime,
  expiresAt: DateTime,
});

export const PasswordResetBody = Type.Object(
  { successToken: TokenString, newPassword: Password },
  { additionalProperties: false },
);

export const PasswordChangeBody = PasswordResetBody;

export const RegenerateBody = Type.Object({ successToken: TokenString }, { additionalProperties: false });

export const BackupCodeStatus = Type.Object({ active: Type.Boolean(), remaining: Type.Integer() });

export const SelectMethodBody = Type.Object({ method: Method }, { additionalProperties: false });

export const SelectMethodResult = Type.Object({ method: Method, delivery: Type.Optional(SentCode) });

export const SecondFactorBody = Type.Object(
  {
    code: AnyCode,
    method: Type.Optional(Method),
    rememberDevice: Type.Optional(Type.Boolean()),
    deviceLabel: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const DeviceToken = Type.Object({
  deviceToken: Type.String({ description: 'Send it as deviceToken at the next sign-in to skip the second factor.' }),
  expiresAt: DateTime,
});

export const SecondFactorResult = Type.Object({ ...TokenPair.properties, device: Type.Optional(DeviceToken) });

export const TrustedDevice = Type.Object({
  id: Uuid,
  label: Type.String(),
  createdAt: DateTime,
  expiresAt: DateTime,
  lastUsedAt: Type.Union([DateTime, Type.Null()]),
});

export const HistoryEntry = Type.Object({
  id: Uuid,
  userId: Type.Union([Type.String(), Type.Null()]),
  method: Type.String(),
  action: Type.String({ description: 'enable, disable, reset, regenerate, policy, export, import' }),
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
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
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

export const Requirement = Type.Object({
  status: Type.Union([
    Type.Literal('not_required'),
    Type.Literal('satisfied'),
    Type.Literal('grace'),
    Type.Literal('enforced'),
  ]),
  enforcedFrom: Type.Optional(DateTime),
});

export const TwoFactorStatus = Type.Object({
  methods: Type.Array(Method),
  backupCodesRemaining: Type.Integer(),
  requirement: Requirement,
});

const MethodFlags = Type.Object({
  totp: Type.Boolean(),
  sms: Type.Boolean(),
  email: Type.Boolean(),
  backup_codes: Type.Boolean(),
});

export const Policy = Type.Object({
  required: Type.Boolean(),
  gracePeriodDays: Type.Integer(),
  requiredSince: Type.Union([DateTime, Type.Null()]),
  methods: MethodFlags,
  rememberDeviceForAdmins: Type.Boolean(),
  restrictedMethods: Type.Array(Method, { description: 'Allowed but "restricted" in NIST SP 800-63B.' }),
});

export const PolicyUpdateBody = Type.Object(
  {
    required: Type.Optional(Type.Boolean()),
    gracePeriodDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
    methods: Type.Optional(Type.Partial(MethodFlags, { additionalProperties: false })),
    rememberDeviceForAdmins: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const Issuer = Type.String({
  pattern: '^[A-Za-z0-9 ._-]{1,32}$',
  description: '1-32 letters, digits, spaces, ".", "_" or "-".',
});

export const IssuerBody = Type.Object({ issuer: Issuer }, { additionalProperties: false });
export const UserIssuerBody = Type.Object(
  { issuer: Type.Union([Issuer, Type.Null()], { description: 'null removes the override.' }) },
  { additionalProperties: false },
);
export const IssuerView = Type.Object({ issuer: Type.String() });
export const UserIssuerView = Type.Object({
  issuer: Type.Union([Type.String(), Type.Null()]),
  effectiveIssuer: Type.String(),
});

export const UserIdParams = Type.Object({ userId: Uuid });

export const PagingQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

export const UserTwoFactorState = Type.Object({
  id: Uuid,
  username: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  role: Type.String(),
  twoFactorEnabled: Type.Boolean(),
  methods: Type.Array(Method),
});

export const UserList = Type.Object({ items: Type.Array(UserTwoFactorState), total: Type.Integer() });

export const ResetResult = Type.Object({ removed: Type.Array(Method) });

export const TotpExport = Type.Object({
  secret: Type.String(),
  otpauthUri: Type.String(),
  algorithm: TotpAlgorithm,
  digits: Type.Integer(),
  period: Type.Integer(),
});

export const TotpImportBody = Type.Object(
  {
    secret: Type.String({ minLength: 16, maxLength: 128, description: 'Base32 key.' }),
    algorithm: Type.Optional(TotpAlgorithm),
    digits: Type.Optional(Type.Union([Type.Literal(6), Type.Literal(8)])),
    period: Type.Optional(Type.Integer({ minimum: 15, maximum: 300 })),
  },
  { additionalProperties: false },
);
