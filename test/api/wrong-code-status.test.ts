/**
 * Property: a 401 always means "your token is not valid". A wrong code sent with a valid token
 * (confirming an enrollment, a disable, a challenge or a contact change, removing a factor,
 * re-authenticating a password or contact change with the current password) is 422 CODE_INVALID;
 * the verify operations, which answer whether a code is right, say `{valid: false}` with 200. The
 * same token then still works. The walk
 * below covers every native operation that takes a `code` with a Bearer token: the OpenAPI
 * document is read so that a new such route cannot be left out.
 */

import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, createSignedInUser, type Harness, json, uniquePhone } from '../support/harness.js';
import { createTotpUser, type TotpUser, wrongCode } from '../support/totp-user.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

interface Operation {
  operationId: string;
  security?: unknown[];
  requestBody?: { content: { 'application/json': { schema: unknown } } };
  responses: Record<string, unknown>;
}

/** Whether a JSON schema (as the document renders it) has a `code` property somewhere. */
function takesCode(schema: unknown, components: Record<string, unknown>): boolean {
  if (schema === null || typeof schema !== 'object') return false;
  const node = schema as Record<string, unknown>;
  if (typeof node.$ref === 'string') return takesCode(components[node.$ref.split('/').pop() ?? ''], components);
  const properties = node.properties as Record<string, unknown> | undefined;
  if (properties && 'code' in properties) return true;
  return ['anyOf', 'oneOf', 'allOf'].some(
    (key) => Array.isArray(node[key]) && (node[key] as unknown[]).some((part) => takesCode(part, components)),
  );
}

async function bearerOperationsTakingACode(): Promise<Map<string, Operation>> {
  const doc = json<{
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, unknown> };
  }>(await h.app.inject({ method: 'GET', url: '/openapi.json' }));
  const found = new Map<string, Operation>();
  for (const methods of Object.values(doc.paths)) {
    for (const operation of Object.values(methods)) {
      const schema = operation.requestBody?.content['application/json']?.schema;
      const usesBearer = (operation.security ?? [{}]).length > 0 && operation.security !== undefined;
      if (usesBearer && takesCode(schema, doc.components.schemas)) found.set(operation.operationId, operation);
    }
  }
  return found;
}

async function post(user: TotpUser, url: string, payload: object) {
  return h.app.inject({ method: 'POST', url, headers: bearer(user.accessToken), payload });
}

/** A user with an e-mail address and no factor yet, as a TotpUser-shaped caller of `post`. */
async function userWithoutFactor(): Promise<TotpUser> {
  const user = await createSignedInUser(h);
  return { ...user, factorId: '', secret: '', codeAt: () => '' };
}

let addresses = 0;
/** A new e-mail address no account has. */
function newAddress(): string {
  addresses += 1;
  return `changed-${addresses}-${Date.now()}@example.test`;
}

/** A code of the same length as `code` in which every digit differs. */
function otherDigits(code: string): string {
  return code.replace(/[0-9]/g, (digit) => String((Number(digit) + 1) % 10));
}

/**
 * Each operation, driven to the point where it checks a code, then given a wrong one; with the
 * caller whose token must still work afterwards.
 */
const WALK: Record<string, (user: TotpUser, wrong: string) => Promise<[LightMyRequestResponse, TotpUser]>> = {
  verifyCode: async (user, wrong) => [await post(user, '/api/v1/me/verify', { code: wrong }), user],
  confirmFactor: async (_user, wrong) => {
    const user = await userWithoutFactor();
    const begun = await post(user, '/api/v1/me/factors/totp', {});
    const { factor } = json<{ factor: { id: string } }>(begun);
    return [await post(user, `/api/v1/me/factors/${factor.id}/confirm`, { code: wrong }), user];
  },
  deleteFactor: async (user, wrong) => [
    await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/factors/${user.factorId}`,
      headers: bearer(user.accessToken),
      payload: { code: wrong },
    }),
    user,
  ],
  confirmEnable: async (_user, wrong) => {
    const user = await userWithoutFactor();
    const started = json<{ flowId: string }>(await post(user, '/api/v1/me/2fa/enable', { method: 'email' }));
    return [await post(user, `/api/v1/me/2fa/enable/${started.flowId}/confirm`, { code: wrong }), user];
  },
  confirmDisable: async (user, wrong) => {
    const started = json<{ flowId: string }>(await post(user, '/api/v1/me/2fa/disable', { method: 'totp' }));
    return [await post(user, `/api/v1/me/2fa/disable/${started.flowId}/confirm`, { code: wrong }), user];
  },
  confirmChallenge: async (user, wrong) => {
    const started = json<{ challengeId: string }>(
      await post(user, '/api/v1/me/2fa/challenges', { operation: 'change_password', method: 'totp' }),
    );
    return [await post(user, `/api/v1/me/2fa/challenges/${started.challengeId}/confirm`, { code: wrong }), user];
  },
  changePassword: async (user, wrong) => [
    await post(user, '/api/v1/me/password', {
      newPassword: 'a new long passphrase',
      currentPassword: user.password,
      code: wrong,
    }),
    user,
  ],
  startEmailChange: async (user, wrong) => [
    await post(user, '/api/v1/me/email', { email: newAddress(), currentPassword: user.password, code: wrong }),
    user,
  ],
  startPhoneChange: async (user, wrong) => [
    await post(user, '/api/v1/me/phone', { phone: uniquePhone(), currentPassword: user.password, code: wrong }),
    user,
  ],
  // The code checked here is the one sent to the new address, not the authenticator's.
  confirmContactChange: async (user) => {
    const address = newAddress();
    const started = json<{ changeId: string }>(
      await post(user, '/api/v1/me/email', {
        email: address,
        currentPassword: user.password,
        code: user.codeAt(h.clock.now()),
      }),
    );
    const wrong = otherDigits(h.outbox.lastEmailCode(address));
    return [await post(user, `/api/v1/me/contact-changes/${started.changeId}/confirm`, { code: wrong }), user];
  },
  verifyUserCode: async (user, wrong) => {
    const admin = await createSignedInUser(h, { role: 'admin' });
    const answer = await h.app.inject({
      method: 'POST',
      url: '/api/v1/verify',
      headers: bearer(admin.accessToken),
      payload: { username: user.username, code: wrong },
    });
    return [answer, { ...user, accessToken: admin.accessToken }];
  },
};

/** The verify operations answer the question "is this code right?": 200 `{valid: false}`. */
const VERIFY_ANSWERS = new Set(['verifyCode', 'verifyUserCode']);

describe('a wrong code with a valid token is 422 CODE_INVALID, never 401', () => {
  it('the walk covers every Bearer operation that takes a code, and each lists 422', async () => {
    const operations = await bearerOperationsTakingACode();
    expect([...operations.keys()].sort()).toEqual(Object.keys(WALK).sort());
    for (const [id, operation] of operations) {
      const documents422 = '422' in operation.responses;
      expect({ id, documents422 }).toEqual({ id, documents422: !VERIFY_ANSWERS.has(id) });
    }
  });

  for (const [operationId, call] of Object.entries(WALK)) {
    it(`${operationId}: a wrong code is not a 401, and the token still works`, async () => {
      const user = await createTotpUser(h.app, h.clock);
      const wrong = wrongCode(user.codeAt(h.clock.now()));
      const [answer, caller] = await call(user, wrong);
      expect({ status: answer.statusCode, body: json(answer) }).toEqual(
        VERIFY_ANSWERS.has(operationId)
          ? { status: 200, body: { valid: false } }
          : { status: 422, body: { error: { code: 'CODE_INVALID', message: expect.any(String) } } },
      );
      const me = await h.app.inject({ url: '/api/v1/me', headers: bearer(caller.accessToken) });
      expect(me.statusCode).toBe(200);
    });
  }

  it('a 401 is kept for a token that is not valid', async () => {
    const user = await createTotpUser(h.app, h.clock);
    const answer = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/verify',
      headers: bearer(`${user.accessToken}x`),
      payload: { code: user.codeAt(h.clock.now()) },
    });
    expect(answer.statusCode).toBe(401);
    expect(json<{ error: { code: string } }>(answer).error.code).toBe('TOKEN_INVALID');
  });
});
