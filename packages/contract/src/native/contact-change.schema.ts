import { Type } from 'typebox';
import { DateTime, Uuid } from './formats.js';
import { ReauthenticationFields } from './password.schema.js';
import { SentCode } from './two-factor-common.schema.js';

export const EmailChangeBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320, description: 'The new address: a code is sent there.' }),
    ...ReauthenticationFields,
  },
  {
    additionalProperties: false,
    examples: [{ email: 'alice@new.example', currentPassword: 'correct horse battery', code: '123456' }],
  },
);

export const PhoneChangeBody = Type.Object(
  {
    phone: Type.String({
      minLength: 3,
      maxLength: 32,
      description: 'The new number in E.164 (spaces and dashes are ignored): a code is sent there by SMS.',
    }),
    ...ReauthenticationFields,
  },
  { additionalProperties: false, examples: [{ phone: '+359888123456', successToken: 'tst_…' }] },
);

export const ContactChange = Type.Object(
  {
    changeId: Uuid,
    field: Type.Union([Type.Literal('email'), Type.Literal('phone')]),
    state: Type.Union(
      [Type.Literal('awaiting_code'), Type.Literal('confirmed'), Type.Literal('failed'), Type.Literal('expired')],
      { description: 'awaiting_code until confirmed, failed (5 wrong codes) or expired (10 minutes).' },
    ),
    attempts: Type.Integer({ minimum: 0 }),
    expiresAt: DateTime,
    delivery: SentCode,
  },
  {
    examples: [
      {
        changeId: '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b',
        field: 'email',
        state: 'awaiting_code',
        attempts: 0,
        expiresAt: '2026-11-25T10:10:00.000Z',
        delivery: {
          id: '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
          channel: 'email',
          sentAt: '2026-11-25T10:00:00.000Z',
          expiresAt: '2026-11-25T10:10:00.000Z',
          destination: 'a***@new.example',
        },
      },
    ],
  },
);

export const ChangeIdParams = Type.Object({ changeId: Uuid });
