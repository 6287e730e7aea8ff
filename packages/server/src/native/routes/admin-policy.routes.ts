import { Policy, PolicyUpdateBody } from '@tessera/contract';
import { type Core, RESTRICTED_METHODS, type TwoFactorPolicy } from '@tessera/core';
import { actorOf, BEARER, errorResponses, type NativeApp, requireAdminAuth } from '../native-app.js';

/** Admin: the 2FA policy. */
export function registerAdminPolicyRoutes(app: NativeApp, core: Core): void {
  const auth = requireAdminAuth(core);
  const tags = ['admin'];

  app.get(
    '/admin/policy',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminGetPolicy',
        description:
          'Needs an admin token. Whether 2FA is required and since when, the grace period, the methods allowed, and which of them NIST calls restricted.',
        tags,
        summary: 'The 2FA policy',
        security: BEARER,
        response: { 200: Policy, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => {
      return policyView(await core.policy.read(actorOf(request)));
    },
  );

  app.put(
    '/admin/policy',
    {
      onRequest: auth,
      schema: {
        operationId: 'adminUpdatePolicy',
        tags,
        summary: 'Change the 2FA policy (recorded in the history)',
        description:
          'required: every account must have a factor; after gracePeriodDays a signed-in user without one can only ' +
          'enroll (403 TWO_FACTOR_REQUIRED elsewhere). methods: allow or forbid each method.',
        security: BEARER,
        body: PolicyUpdateBody,
        response: { 200: Policy, ...errorResponses('FORBIDDEN', 'TWO_FACTOR_REQUIRED') },
      },
    },
    async (request) => policyView(await core.policy.update(actorOf(request), request.body)),
  );
}

function policyView(policy: TwoFactorPolicy) {
  return { ...policy, restrictedMethods: [...RESTRICTED_METHODS] };
}
