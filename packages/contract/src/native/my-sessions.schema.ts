import { Type } from 'typebox';
import { DateTime, Uuid } from './formats.js';
import { TrustedDevice } from './trusted-devices.schema.js';

export const SessionInfo = Type.Object(
  {
    id: Uuid,
    createdAt: DateTime,
    lastUsedAt: Type.Union([DateTime, Type.Null()], {
      description: 'The last sign-in or token refresh (null for a session older than this record).',
    }),
    clientIp: Type.Union([Type.String(), Type.Null()], { description: 'Of the last sign-in or refresh.' }),
    userAgent: Type.Union([Type.String(), Type.Null()], { description: 'Of the sign-in or last refresh, if sent.' }),
    current: Type.Boolean({ description: 'The session this request was made with.' }),
  },
  {
    examples: [
      {
        id: '0b5e8d0e-3c1f-4a56-9d7e-1c2b3a4d5e6f',
        createdAt: '2026-11-25T08:00:00.000Z',
        lastUsedAt: '2026-11-25T09:45:12.000Z',
        clientIp: '198.51.100.7',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
        current: true,
      },
    ],
  },
);

export const MySessions = Type.Object({
  sessions: Type.Array(SessionInfo, { description: 'Sessions that can still be used, newest first.' }),
  devices: Type.Array(TrustedDevice, { description: 'Devices remembered at sign-in (they skip the second factor).' }),
});

export const SessionIdParams = Type.Object({ sessionId: Uuid });

export const RevokeSessionsBody = Type.Object(
  {
    keepCurrent: Type.Optional(
      Type.Boolean({ default: true, description: 'Keep the session of this request ("sign out everywhere else").' }),
    ),
    forgetDevices: Type.Optional(Type.Boolean({ default: false, description: 'Forget remembered devices too.' })),
  },
  { additionalProperties: false },
);

export const RevokedSessions = Type.Object({
  sessionsRevoked: Type.Integer({ minimum: 0 }),
  devicesForgotten: Type.Integer({ minimum: 0 }),
});
