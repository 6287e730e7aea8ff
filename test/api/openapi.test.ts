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
      ['get', '/api/v1/users/{username}'],
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

  it('serves a browsable page at /docs', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('swagger');
  });
});
