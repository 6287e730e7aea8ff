import { Type } from 'typebox';

/** Twilio's error body, as its SDKs parse it (`RestException`). */
export const TwilioError = Type.Object({
  code: Type.Integer({ description: "Twilio's error code (20404, 60200, …)." }),
  message: Type.String(),
  more_info: Type.String({ description: "The code's page in Twilio's error dictionary." }),
  status: Type.Integer({ description: 'The HTTP status again.' }),
});

const Sid = (prefix: string) => Type.String({ pattern: `^${prefix}[0-9a-f]{32}$` });
const FormBoolean = Type.String({ pattern: '^(true|false|True|False)$' });
const FormInteger = Type.String({ pattern: '^-?[0-9]{1,9}$' });
const Nullable = (description: string) => Type.Unknown({ description });
const DateTime = Type.String({ format: 'date-time' });

export const ServiceParams = Type.Object({ Sid: Sid('VA') });
export const ServiceSidParams = Type.Object({ ServiceSid: Sid('VA') });
export const VerificationParams = Type.Object({ ServiceSid: Sid('VA'), Sid: Sid('VE') });
export const EntityParams = Type.Object({
  ServiceSid: Sid('VA'),
  Identity: Type.String({ pattern: '^[\\x21-\\x7e]{1,128}$' }),
});
export const FactorParams = Type.Object({
  ServiceSid: Sid('VA'),
  Identity: Type.String({ pattern: '^[\\x21-\\x7e]{1,128}$' }),
  Sid: Sid('YF'),
});

export const PageQuery = Type.Object({
  PageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  Page: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  PageToken: Type.Optional(Type.String({ maxLength: 256 })),
});

/** The fields of a service apps set; form values are text, as Twilio's SDKs send them. */
const serviceFields = {
  FriendlyName: Type.Optional(Type.String({ maxLength: 64 })),
  CodeLength: Type.Optional(FormInteger),
  LookupEnabled: Type.Optional(FormBoolean),
  TtsName: Type.Optional(Type.String({ maxLength: 64 })),
  DoNotShareWarningEnabled: Type.Optional(FormBoolean),
  'Totp.Issuer': Type.Optional(Type.String({ maxLength: 64 })),
  'Totp.TimeStep': Type.Optional(FormInteger),
  'Totp.CodeLength': Type.Optional(FormInteger),
  'Totp.Skew': Type.Optional(FormInteger),
};
export const ServiceBody = Type.Object(serviceFields);

export const Service = Type.Object({
  sid: Type.String(),
  account_sid: Type.String(),
  friendly_name: Type.String(),
  code_length: Type.Integer(),
  lookup_enabled: Type.Boolean(),
  psd2_enabled: Type.Boolean(),
  skip_sms_to_landlines: Type.Boolean(),
  dtmf_input_required: Type.Boolean(),
  tts_name: Type.Union([Type.String(), Type.Null()]),
  do_not_share_warning_enabled: Type.Boolean(),
  custom_code_enabled: Type.Boolean(),
  push: Nullable('Push factors are not served: their settings are all null.'),
  totp: Nullable('`{issuer, time_step, code_length, skew}`: the TOTP defaults of factors made under the service.'),
  default_template_sid: Type.Null(),
  whatsapp: Nullable('Not served: null settings.'),
  passkeys: Nullable('Not served: null.'),
  verify_event_subscription_enabled: Type.Boolean(),
  date_created: DateTime,
  date_updated: DateTime,
  url: Type.String(),
  links: Type.Record(Type.String(), Type.String()),
});

const Meta = Type.Object({
  page: Type.Integer(),
  page_size: Type.Integer(),
  first_page_url: Type.String(),
  previous_page_url: Type.Union([Type.String(), Type.Null()]),
  next_page_url: Type.Union([Type.String(), Type.Null()]),
  key: Type.String(),
  url: Type.String(),
});
export const ServiceList = Type.Object({ services: Type.Array(Service), meta: Meta });

export const VerificationBody = Type.Object({
  To: Type.String({ minLength: 1, maxLength: 254 }),
  Channel: Type.String({ minLength: 1, maxLength: 16 }),
  Locale: Type.Optional(Type.String({ maxLength: 16 })),
  CustomFriendlyName: Type.Optional(Type.String({ maxLength: 64 })),
  CustomCode: Type.Optional(Type.String({ maxLength: 16 })),
});
export const VerificationUpdateBody = Type.Object({
  Status: Type.Union([Type.Literal('canceled'), Type.Literal('approved')]),
});
export const VerificationCheckBody = Type.Object({
  Code: Type.String({ minLength: 1, maxLength: 16 }),
  To: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  VerificationSid: Type.Optional(Sid('VE')),
});

const verificationCommon = {
  sid: Type.String(),
  service_sid: Type.String(),
  account_sid: Type.String(),
  to: Type.String(),
  channel: Type.String(),
  status: Type.String({ description: 'pending, approved, canceled, max_attempts_reached, expired.' }),
  valid: Type.Boolean(),
  amount: Type.Null(),
  payee: Type.Null(),
  date_created: DateTime,
  date_updated: DateTime,
};
export const Verification = Type.Object({
  ...verificationCommon,
  lookup: Nullable('Tessera performs no carrier lookup: `{}`.'),
  send_code_attempts: Type.Array(Type.Object({ attempt_sid: Type.String(), channel: Type.String(), time: DateTime })),
  sna: Type.Null(),
  url: Type.String(),
});
export const VerificationCheck = Type.Object({
  ...verificationCommon,
  sna_attempts_error_codes: Type.Array(Type.Unknown()),
});

export const FactorBody = Type.Object({
  FriendlyName: Type.String({ minLength: 1, maxLength: 64 }),
  FactorType: Type.String({ minLength: 1, maxLength: 16 }),
  'Config.TimeStep': Type.Optional(FormInteger),
  'Config.CodeLength': Type.Optional(FormInteger),
  'Config.Skew': Type.Optional(FormInteger),
  'Config.Alg': Type.Optional(Type.String({ maxLength: 16 })),
  'Binding.Secret': Type.Optional(Type.String({ maxLength: 128 })),
});
export const FactorUpdateBody = Type.Object({
  AuthPayload: Type.Optional(Type.String({ maxLength: 16 })),
  FriendlyName: Type.Optional(Type.String({ maxLength: 64 })),
});

const factorCommon = {
  sid: Type.String(),
  account_sid: Type.String(),
  service_sid: Type.String(),
  entity_sid: Type.String(),
  identity: Type.String(),
  date_created: DateTime,
  date_updated: DateTime,
  friendly_name: Type.String(),
  status: Type.Union([Type.Literal('unverified'), Type.Literal('verified')]),
  factor_type: Type.Literal('totp'),
  config: Nullable('`{alg, skew, code_length, time_step}`.'),
  metadata: Type.Null(),
  url: Type.String(),
};
export const Factor = Type.Object(factorCommon);
export const NewFactor = Type.Object({
  ...factorCommon,
  binding: Nullable('`{secret, uri}`: the key (base32) and its otpauth URI, shown once.'),
  options: Type.Null(),
});
export const FactorList = Type.Object({ factors: Type.Array(Factor), meta: Meta });

export const ChallengeParams = Type.Object({
  ServiceSid: Sid('VA'),
  Identity: Type.String({ pattern: '^[\\x21-\\x7e]{1,128}$' }),
  Sid: Sid('YC'),
});
export const ChallengeUpdateBody = Type.Object({ AuthPayload: Type.String({ minLength: 1, maxLength: 16 }) });

export const ChallengeBody = Type.Object({
  FactorSid: Sid('YF'),
  AuthPayload: Type.Optional(Type.String({ maxLength: 16 })),
});
export const Challenge = Type.Object({
  sid: Type.String(),
  account_sid: Type.String(),
  service_sid: Type.String(),
  entity_sid: Type.String(),
  identity: Type.String(),
  factor_sid: Type.String(),
  date_created: DateTime,
  date_updated: DateTime,
  date_responded: Type.Union([DateTime, Type.Null()]),
  expiration_date: DateTime,
  status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('expired')]),
  responded_reason: Type.Literal('none'),
  details: Type.Null(),
  hidden_details: Type.Null(),
  metadata: Type.Null(),
  factor_type: Type.Literal('totp'),
  url: Type.String(),
  links: Type.Record(Type.String(), Type.String()),
});
export const ChallengeList = Type.Object({ challenges: Type.Array(Challenge), meta: Meta });
