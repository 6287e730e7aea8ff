import { randomBytes } from 'node:crypto';
import { encodeBase32, SYSTEM_ACTOR } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, createSignedInUser, type Harness, json } from '../support/harness.js';

/** The admin TOTP import does what its description says: a second import needs `replace`. */
let h: Harness;
let adminToken: string;
beforeAll(async () => {
  h = await createHarness();
  const admin = await createSignedInUser(h, { role: 'admin' });
  adminToken = (await h.core.apiTokens.issue(admin.id, 'migration', 'write')).token;
});
afterAll(async () => h.close());

async function importKey(userId: string, body: object) {
  return h.app.inject({
    method: 'POST',
    url: `/api/v1/admin/users/${userId}/2fa/totp/import`,
    headers: bearer(adminToken),
    payload: body,
  });
}

describe('POST /admin/users/{id}/2fa/totp/import', () => {
  it('refuses a second key without replace, and swaps it with replace: true', async () => {
    const user = await createSignedInUser(h);
    const first = encodeBase32(randomBytes(20));
    const second = encodeBase32(randomBytes(20));
    expect((await importKey(user.id, { secret: first })).statusCode).toBe(204);

    const again = await importKey(user.id, { secret: second });
    expect(again.statusCode).toBe(409);
    expect(json(again)).toMatchObject({ error: { code: 'FACTOR_ALREADY_ACTIVE' } });
    expect((await h.core.admin.exportTotp(SYSTEM_ACTOR, user.id)).secret).toBe(first);

    expect((await importKey(user.id, { secret: second, replace: true })).statusCode).toBe(204);
    expect((await h.core.admin.exportTotp(SYSTEM_ACTOR, user.id)).secret).toBe(second);
    const factors = await h.core.factors.listFor(SYSTEM_ACTOR, user.id);
    expect(factors.filter((factor) => factor.method === 'totp')).toHaveLength(1);
  });

  it('says so in the document', async () => {
    const document = json<{ paths: Record<string, { post: { description: string } }> }>(
      await h.app.inject({ method: 'GET', url: '/openapi.json' }),
    );
    const operation = document.paths['/api/v1/admin/users/{userId}/2fa/totp/import']?.post;
    expect(operation?.description).toContain('`replace`');
    expect(operation?.description).not.toContain('Replaces any authenticator');
  });
});
