import { UserIssuerBody, UserIssuerView } from '@tessera/contract';
import type { Core } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAuth } from '../native-app.js';

/** The signed-in user's own issuer name. */
export function registerIssuerRoutes(app: NativeApp, core: Core): void {
  const auth = requireAuth(core);
  const tags = ['two-factor'];

  app.put(
    '/me/issuer',
    {
      onRequest: auth,
      schema: {
        operationId: 'setIssuer',
        description:
          'The issuer is the name an authenticator app shows beside the code. It applies to authenticators enrolled from now on; existing entries keep theirs.',
        tags,
        summary: 'Set (or clear with null) the issuer name your new otpauth URIs carry',
        security: BEARER,
        body: UserIssuerBody,
        response: { 200: UserIssuerView, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => {
      return core.issuers.setOwn(actorOf(request), request.body.issuer);
    },
  );
}
