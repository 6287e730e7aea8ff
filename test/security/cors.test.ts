import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';

const APP = 'https://app.example.com';

describe('cross-origin calls from browsers', () => {
  describe('with TESSERA_CORS_ORIGINS set', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness({ corsOrigins: [APP, 'http://localhost:3000'] });
    });
    afterAll(async () => h.close());

    it('answers a preflight from a listed origin, with credentials allowed', async () => {
      const response = await h.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/auth/sign-in',
        headers: {
          origin: APP,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(response.statusCode).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(APP);
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      expect(String(response.headers['access-control-allow-methods'])).toContain('POST');
    });

    it('allows every method the API uses, PATCH (an admin updating a user) included', async () => {
      const response = await h.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/admin/users/some-id',
        headers: { origin: APP, 'access-control-request-method': 'PATCH' },
      });
      const allowed = String(response.headers['access-control-allow-methods']).split(/\s*,\s*/);
      expect(allowed).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));
    });

    it('names the origin on a real call, and exposes the retry headers', async () => {
      const response = await h.app.inject({ method: 'GET', url: '/health', headers: { origin: APP } });
      expect(response.headers['access-control-allow-origin']).toBe(APP);
      expect(response.headers.vary).toContain('Origin');
      expect(String(response.headers['access-control-expose-headers'])).toContain('retry-after');
    });

    it('gives nothing to an origin that is not listed exactly, a look-alike included', async () => {
      for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.net', 'http://app.example.com']) {
        const response = await h.app.inject({
          method: 'OPTIONS',
          url: '/api/v1/auth/sign-in',
          headers: { origin, 'access-control-request-method': 'POST' },
        });
        expect(response.headers['access-control-allow-origin'], origin).toBeUndefined();
        expect(response.headers['access-control-allow-credentials'], origin).toBeUndefined();
      }
    });
  });

  describe('by default', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await createHarness();
    });
    afterAll(async () => h.close());

    it('adds no CORS headers at all', async () => {
      const response = await h.app.inject({ method: 'GET', url: '/health', headers: { origin: APP } });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});
