import { Type } from 'typebox';
import { Password, Username } from './account.schema.js';
import { Factor } from './factor.schema.js';
import { DateTime, Offset, Uuid } from './formats.js';
import { Method } from './two-factor-common.schema.js';

/** The prefix that names an account by the platform's id in an admin path: `/admin/users/ext:4711/…`. */
export const EXTERNAL_ID_PATH_PREFIX = 'ext:';

export const UserIdParams = Type.Object({
  userId: Type.Union([Uuid, Type.String({ pattern: '^ext:[\\x21-\\x7e]{1,128}$' })], {
    description: "The account's id, or `ext:` and the platform's own id for it (`ext:4711`, percent-encoded).",
  }),
});

export const PagingQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);

/** The platform's own id for a user (integration mode 2). */
export const ExternalId = Type.String({
  pattern: '^[\\x21-\\x7e]{1,128}$',
  description: "The platform's own id for the user: 1-128 printable ASCII characters, no spaces.",
});

/** An e-mail account or team user of a cPanel account: name@domain (checked fully by the core). */
const SubAccountUsername = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]{1,64}@[^\\s@]{1,189}$' });
const Email = Type.String({ maxLength: 320, pattern: '^[^\\s@]{1,64}@[^\\s@]{1,255}$' });
const Phone = Type.String({
  maxLength: 32,
  description: 'E.164, like +359888123456 (spaces, dashes and brackets are dropped).',
});

export const SecondFactorLock = Type.Object(
  {
    locked: Type.Boolean({ description: 'Second-factor codes are refused now.' }),
    lockedUntil: Type.Union([DateTime, Type.Null()], { description: 'The end of a timed lock.' }),
    suspended: Type.Boolean({
      description: 'The failure ceiling was reached: only POST /admin/users/{userId}/2fa/unlock opens it.',
    }),
  },
  { title: 'SecondFactorLock' },
);

const UserTwoFactorState = Type.Object(
  {
    id: Uuid,
    username: Type.String(),
    email: Type.Union([Type.String(), Type.Null()]),
    role: Type.String(),
    twoFactorEnabled: Type.Boolean(),
    methods: Type.Array(Method),
    externalId: Type.Union([Type.String(), Type.Null()]),
    disabled: Type.Boolean(),
    secondFactorLock: SecondFactorLock,
    domain: Type.Union([Type.String(), Type.Null()], { description: "cPanel's primary domain, or null." }),
    ownerId: Type.Union([Uuid, Type.Null()], {
      description: 'For an e-mail account or team user: the account that owns it; null for a top-level account.',
    }),
    subAccountType: Type.Union([Type.Literal('email'), Type.Literal('team'), Type.Null()]),
  },
  { title: 'UserTwoFactorState' },
);

export const UserList = Type.Object({ items: Type.Array(UserTwoFactorState), total: Type.Integer() });

export const ResetResult = Type.Object({ removed: Type.Array(Method) });

export const AdminUser = Type.Object(
  {
    id: Uuid,
    username: Type.String(),
    email: Type.Union([Type.String(), Type.Null()]),
    phone: Type.Union([Type.String(), Type.Null()]),
    role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
    externalId: Type.Union([Type.String(), Type.Null()]),
    domain: Type.Union([Type.String(), Type.Null()], { description: "cPanel's primary domain, or null." }),
    ownerId: Type.Union([Uuid, Type.Null()], {
      description: 'For an e-mail account or team user: the account that owns it; null for a top-level account.',
    }),
    subAccountType: Type.Union([Type.Literal('email'), Type.Literal('team'), Type.Null()]),
    hasPassword: Type.Boolean({
      description: 'False for an account made without a password: it cannot sign in with one.',
    }),
    disabled: Type.Boolean(),
    disabledAt: Type.Union([DateTime, Type.Null()]),
    createdAt: DateTime,
    twoFactorEnabled: Type.Boolean(),
    methods: Type.Array(Method),
    secondFactorLock: SecondFactorLock,
  },
  { title: 'AdminUser' },
);

/** An account found by username or platform id, with its factors (`GET /admin/users/lookup`). */
export const AdminUserLookup = Type.Object({ user: AdminUser, factors: Type.Array(Factor) });

export const AdminCreateUserBody = Type.Object(
  {
    username: Type.Union([Username, SubAccountUsername]),
    password: Type.Optional(Password),
    email: Type.Optional(Email),
    phone: Type.Optional(Phone),
    externalId: Type.Optional(ExternalId),
    role: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('admin')])),
    domain: Type.Optional(
      Type.String({ minLength: 1, maxLength: 253, description: "cPanel's primary domain, like example.com." }),
    ),
    owner: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'The username of the top-level account that owns this one (needs `subAccountType`).',
      }),
    ),
    subAccountType: Type.Optional(
      Type.Union([Type.Literal('email'), Type.Literal('team')], {
        description: 'With `owner`: one of its cPanel e-mail accounts (username name@domain) or team users.',
      }),
    ),
  },
  { additionalProperties: false, title: 'AdminCreateUserBody' },
);

export const AdminUpdateUserBody = Type.Object(
  {
    email: Type.Optional(Type.Union([Email, Type.Null()], { description: 'A new address, or null to clear it.' })),
    phone: Type.Optional(Type.Union([Phone, Type.Null()], { description: 'A new number, or null to clear it.' })),
    username: Type.Optional(
      Type.Union([Username, SubAccountUsername], {
        description: "A new username, of the account's kind (a sub-account's stays name@domain).",
      }),
    ),
    role: Type.Optional(
      Type.Union([Type.Literal('user'), Type.Literal('admin')], {
        description: "A new role; ends the account's sessions. Not for your own account.",
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, title: 'AdminUpdateUserBody' },
);

export const AdminSetPasswordBody = Type.Object(
  { password: Password },
  { additionalProperties: false, title: 'AdminSetPasswordBody' },
);

export const AdminUserLookupQuery = Type.Object(
  {
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    externalId: Type.Optional(ExternalId),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1, title: 'AdminUserLookupQuery' },
);

export const DeletedUser = Type.Object(
  {
    deleted: Type.Literal(true),
    pseudonym: Type.String({ description: 'What stands for the account in its history from now on.' }),
  },
  { title: 'DeletedUser' },
);
