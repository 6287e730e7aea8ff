import { Type } from 'typebox';
import { DateTime } from './formats.js';
import { Method } from './two-factor-common.schema.js';

const MethodFlags = Type.Object({
  totp: Type.Boolean(),
  sms: Type.Boolean(),
  email: Type.Boolean(),
  backup_codes: Type.Boolean(),
  webauthn: Type.Boolean(),
});

export const Policy = Type.Object({
  required: Type.Boolean(),
  gracePeriodDays: Type.Integer(),
  requiredSince: Type.Union([DateTime, Type.Null()]),
  methods: MethodFlags,
  rememberDeviceForAdmins: Type.Boolean(),
  phishingResistantForAdmins: Type.Boolean({
    description:
      'Admins must hold a security key or passkey: until they do they may only enroll one, and once they do they sign in with it alone.',
  }),
  restrictedMethods: Type.Array(Method, { description: 'Allowed but "restricted" in NIST SP 800-63B.' }),
});

export const PolicyUpdateBody = Type.Object(
  {
    required: Type.Optional(Type.Boolean()),
    gracePeriodDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
    methods: Type.Optional(Type.Partial(MethodFlags, { additionalProperties: false })),
    rememberDeviceForAdmins: Type.Optional(Type.Boolean()),
    phishingResistantForAdmins: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
