import { Type } from 'typebox';

/**
 * The one error body of this dialect (B2Core documents none): the HTTP status again in `code`,
 * a message for people, and the fields a validation failure is about.
 */
export const B2CoreError = Type.Object({
  code: Type.Integer({ description: 'The HTTP status of the answer.' }),
  message: Type.String(),
  errors: Type.Record(Type.String(), Type.Array(Type.String()), {
    description: 'Messages by request field (`body.email`, `querystring.limit`); empty when no field is at fault.',
  }),
});

const Uuid = Type.String({
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  description: 'The wizard uuid.',
});

const Token = Type.Object({
  token: Type.String(),
  createdAt: Type.String({ description: 'ISO 8601 with offset: 2022-01-01T00:00:00+00:00.' }),
  expiresAt: Type.String({ description: 'ISO 8601 with offset.' }),
});

export const B2CoreTokens = Type.Object({ accessToken: Token, refreshToken: Token });

/** The wizard envelope of every sign-in and wizard step. */
export function wizardEnvelope<T extends import('typebox').TSchema>(data: T) {
  return Type.Object({
    code: Type.Integer({ description: '200 an intermediate step, 202 the final one (the HTTP status too).' }),
    data,
    done: Type.Boolean(),
    uuid: Uuid,
    workflow: Type.String({ description: 'The next step.' }),
  });
}

export const SignInWizardResponse = wizardEnvelope(
  Type.Object({
    recaptcha: Type.Object({ enabled: Type.Boolean() }),
    is_qr_available: Type.Boolean(),
    is_password_recovery_available: Type.Boolean(),
  }),
);

export const SignInBody = Type.Object({
  uuid: Uuid,
  email: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  device_fingerprint: Type.String({
    minLength: 1,
    maxLength: 8192,
    description: 'Base64 of a JSON object with at least `user_agent`.',
  }),
});

/** 202 with the tokens, or 200 with the next step (`data` null). */
export const SignInResponse = wizardEnvelope(Type.Union([B2CoreTokens, Type.Null()]));

export const SelectTypeBody = Type.Object({
  uuid: Uuid,
  type: Type.Union([Type.Literal('google'), Type.Literal('sms')]),
});
export const SelectTypeResponse = wizardEnvelope(Type.Null());

export const CodeBody = Type.Object({ uuid: Uuid, code: Type.String({ minLength: 1, maxLength: 32 }) });
export const TokensResponse = wizardEnvelope(B2CoreTokens);

export const RefreshBody = Type.Object({ refreshToken: Type.String({ minLength: 1, maxLength: 512 }) });

export const MethodStatus = Type.Object({ caption: Type.String(), isEnabled: Type.Boolean(), name: Type.String() });
export const MethodList = Type.Object({ total: Type.Integer(), data: Type.Array(MethodStatus) });
export const TypeParams = Type.Object({ type: Type.String({ maxLength: 32 }) });
export const WizardTypeParams = Type.Object({ type: Type.Union([Type.Literal('google'), Type.Literal('sms')]) });

export const WizardStepResponse = wizardEnvelope(
  Type.Union([Type.Object({}, { additionalProperties: true }), Type.Array(Type.Never()), Type.Null()]),
);

/** One endpoint for every wizard step: the phone (SMS enable), or `action: "code"` with the code. */
export const WizardBody = Type.Object({
  uuid: Uuid,
  phone: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  action: Type.Optional(Type.Literal('code')),
  code: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  key: Type.Optional(Type.String({ maxLength: 128, description: 'Sent back by the google enable step; not needed.' })),
});

export const ChallengeQuery = Type.Object({
  type: Type.Optional(
    Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('google')], {
      description: 'How to prove it; the code goes by e-mail by default.',
    }),
  ),
});
export const UnauthorizedChallengeQuery = Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }) });

export const ChallengeResponse = Type.Object({
  token: Type.String({ description: 'The confirmation token for POST /api/v2/my/2fa/challenge.' }),
  expiresAt: Type.String(),
  type: Type.String(),
  sentAt: Type.Union([Type.String(), Type.Null()]),
  recipient: Type.Union([Type.String({ description: 'Masked address or number.' }), Type.Null()]),
});

export const ChallengeConfirmBody = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 64 }),
  code: Type.String({ minLength: 1, maxLength: 32 }),
});
export const ChallengeConfirmResponse = Type.Object({
  token: Type.String({ description: 'The success token (the vendor example names it token).' }),
  successToken: Type.String({ description: 'The same value (the vendor field list names it successToken).' }),
  expiresAt: Type.String(),
});

export const SuccessTokenHeaders = Type.Object({ successtoken: Type.String({ minLength: 1, maxLength: 256 }) });
export const PasswordBody = Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }) });

const IsoTime = Type.String({
  maxLength: 40,
  pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d(\\.\\d{1,6})?)?(Z|[+-]\\d\\d:?\\d\\d)$',
  description: 'ISO 8601 with an offset or Z.',
});

/** The query of the change history; the bracketed keys are taken as they are written. */
export const ChangesQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 })),
    sort_order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    sort_by: Type.Optional(Type.Literal('time')),
    'filter[isEnabled]': Type.Optional(
      Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('1'), Type.Literal('0')]),
    ),
    'filter[timeFrom]': Type.Optional(IsoTime),
    'filter[timeTo]': Type.Optional(IsoTime),
    'filter[provider]': Type.Optional(
      Type.Union([Type.Literal('google'), Type.Literal('sms'), Type.Literal('email'), Type.Literal('backup_codes')]),
    ),
  },
  {
    // An unknown key (a misspelt filter[isEnabled], a filter this history does not have) is refused,
    // never ignored: ignoring it would answer a different question than the one asked.
    additionalProperties: false,
  },
);

export const Change = Type.Object({
  id: Type.Integer({
    minimum: 1,
    description:
      "The change's number (1, 2, 3, … in the order changes are recorded); GET /2fa/changes/{changeId} takes it.",
  }),
  provider: Type.String({
    description: 'google, sms, or the name of a method B2Core does not know (email, backup_codes).',
  }),
  isEnabled: Type.Boolean(),
  time: Type.String(),
});
export const ChangeList = Type.Object({ total: Type.Integer(), data: Type.Array(Change) });
export const ChangeParams = Type.Object({ changeId: Type.String({ minLength: 1, maxLength: 64 }) });
