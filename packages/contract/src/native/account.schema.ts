import { Type } from 'typebox';

export const Username = Type.String({
  pattern: '^[A-Za-z0-9._-]{3,64}$',
  description: '3-64 letters, digits, ".", "_" or "-".',
});
export const Password = Type.String({ minLength: 8, maxLength: 256 });

export const SignUpBody = Type.Object(
  {
    username: Username,
    password: Password,
    email: Type.Optional(Type.String({ maxLength: 320, pattern: '^[^\\s@]{1,64}@[^\\s@]{1,255}$' })),
    phone: Type.Optional(Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164, like +359888123456.' })),
  },
  { additionalProperties: false },
);

export const Account = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
  createdAt: Type.String({ format: 'date-time' }),
});
