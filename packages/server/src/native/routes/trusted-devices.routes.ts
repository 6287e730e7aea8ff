import { TrustedDevice } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { Type } from 'typebox';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

/** Devices remembered at sign-in. */
export function registerTrustedDeviceRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['two-factor'];

  app.get(
    '/me/devices',
    {
      onRequest: auth,
      schema: {
        operationId: 'listTrustedDevices',
        description:
          'Devices that asked to be remembered at sign-in, with their expiry and last use. Device tokens are never shown again.',
        tags,
        summary: 'Devices remembered at sign-in (they skip the second factor)',
        security: BEARER,
        response: {
          200: Type.Object({ devices: Type.Array(TrustedDevice) }),
          ...errorResponses('TWO_FACTOR_REQUIRED'),
        },
      },
    },
    async (request) => ({ devices: await core.devices.list(actorOf(request)) }),
  );

  app.delete(
    '/me/devices/:deviceId',
    {
      onRequest: auth,
      schema: {
        operationId: 'forgetTrustedDevice',
        description: "The device's token stops working: its next sign-in asks for the second factor again.",
        tags,
        summary: 'Forget a remembered device',
        security: BEARER,
        params: Type.Object({ deviceId: Type.String({ format: 'uuid' }) }),
        response: {
          204: { type: 'null' },
          ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED', 'TRUSTED_DEVICE_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      await core.devices.revoke(actorOf(request), request.params.deviceId);
      return reply.status(204).send(null);
    },
  );
}
