import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

describe('OpenAPI and /docs', () => {
  it('describes every native route as OpenAPI 3.1 with request and response schemas', async () => {
    const doc = json<{
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>(await h.app.inject({ method: 'GET', url: '/openapi.json' }));
    expect(doc.openapi).toBe('3.1.0');
    const routes = h.app.printRoutes({ commonPrefix: false });
    const expected = [
      ['post', '/api/v1/users'],
      ['post', '/api/v1/auth/sign-in'],
      ['post', '/api/v1/auth/sign-in/{flowId}/second-factor'],
      ['post', '/api/v1/auth/refresh'],
      ['post', '/api/v1/auth/introspect'],
      ['post', '/api/v1/admin/settings/signing-keys/rotate'],
      ['post', '/api/v1/auth/sign-out'],
      ['get', '/api/v1/me'],
      ['get', '/api/v1/me/factors'],
      ['post', '/api/v1/me/factors/totp'],
      ['post', '/api/v1/me/factors/{factorId}/confirm'],
      ['delete', '/api/v1/me/factors/{factorId}'],
      ['post', '/api/v1/me/verify'],
      ['get', '/api/v1/me/api-tokens'],
      ['post', '/api/v1/me/api-tokens'],
      ['delete', '/api/v1/me/api-tokens/{tokenId}'],
      ['post', '/api/v1/verify'],
      ['get', '/api/v1/admin/users/lookup'],
      ['post', '/api/v1/admin/users'],
      ['get', '/api/v1/admin/users/{userId}'],
      ['patch', '/api/v1/admin/users/{userId}'],
      ['delete', '/api/v1/admin/users/{userId}'],
      ['post', '/api/v1/admin/users/{userId}/disable'],
      ['post', '/api/v1/admin/users/{userId}/enable'],
      ['post', '/api/v1/auth/sign-in/{flowId}/method'],
      ['post', '/api/v1/auth/recovery'],
      ['post', '/api/v1/auth/recovery/{challengeId}/confirm'],
      ['post', '/api/v1/auth/password-reset'],
      ['get', '/api/v1/me/2fa'],
      ['post', '/api/v1/me/2fa/enable'],
      ['get', '/api/v1/me/2fa/enable/{flowId}'],
      ['post', '/api/v1/me/2fa/enable/{flowId}/confirm'],
      ['post', '/api/v1/me/2fa/enable/{flowId}/resend'],
      ['post', '/api/v1/me/2fa/disable'],
      ['post', '/api/v1/me/2fa/disable/{flowId}/confirm'],
      ['post', '/api/v1/me/2fa/disable/{flowId}/resend'],
      ['post', '/api/v1/me/2fa/challenges'],
      ['get', '/api/v1/me/2fa/challenges/{challengeId}'],
      ['post', '/api/v1/me/2fa/challenges/{challengeId}/confirm'],
      ['get', '/api/v1/me/2fa/backup-codes'],
      ['post', '/api/v1/me/2fa/backup-codes/regenerate'],
      ['get', '/api/v1/me/2fa/history'],
      ['get', '/api/v1/me/2fa/history/{entryId}'],
      ['get', '/api/v1/me/devices'],
      ['delete', '/api/v1/me/devices/{deviceId}'],
      ['post', '/api/v1/me/password'],
      ['put', '/api/v1/me/issuer'],
      ['get', '/api/v1/admin/users'],
      ['get', '/api/v1/admin/users/{userId}/factors'],
      ['delete', '/api/v1/admin/users/{userId}/2fa'],
      ['post', '/api/v1/admin/users/{userId}/2fa/unlock'],
      ['post', '/api/v1/admin/users/{userId}/2fa/totp/export'],
      ['post', '/api/v1/admin/users/{userId}/2fa/totp/import'],
      ['put', '/api/v1/admin/users/{userId}/issuer'],
      ['get', '/api/v1/admin/settings/issuer'],
      ['put', '/api/v1/admin/settings/issuer'],
      ['get', '/api/v1/admin/policy'],
      ['put', '/api/v1/admin/policy'],
      ['get', '/api/v1/admin/history'],
      ['get', '/api/v1/admin/history/{entryId}'],
    ] as const;
    for (const [method, path] of expected) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(Object.keys(operation?.responses ?? {}).some((s) => s.startsWith('2'))).toBe(true);
    }
    // Nothing under /api/v1 is left out of the document.
    const documented = Object.keys(doc.paths).filter((p) => p.startsWith('/api/v1')).length;
    expect(documented).toBe(new Set(expected.map(([, p]) => p)).size);
    expect(routes).toContain('/api/v1/');
  });

  it('gives every operation a unique camelCase operationId', async () => {
    const doc = json<{ paths: Record<string, Record<string, { operationId?: string }>> }>(
      await h.app.inject({ method: 'GET', url: '/openapi.json' }),
    );
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ at: `${method} ${path}`, id: operation.operationId })),
    );
    expect(operations.length).toBeGreaterThan(0);
    for (const { at, id } of operations) {
      expect(id, at).toMatch(/^[a-z][A-Za-z0-9]*$/);
    }
    const ids = operations.map(({ id }) => id);
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(duplicates).toEqual([]);
  });

  it('serves a browsable page at /docs', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('swagger');
  });
});
