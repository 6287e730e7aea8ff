/**
 * Property: every route answers a failure in one error shape. An unknown path or a method a path
 * does not take, anywhere (inside /api/v1 or not, /health, /ready, the documents), is 404 with the
 * native `{"error":{"code","message"}}`; under a prefix a vendor dialect owns, the same 404 comes
 * in that dialect's shape.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

const NATIVE_404 = { error: { code: 'ROUTE_NOT_FOUND', message: expect.stringMatching(/^No route /) } };

describe('one error shape for every route', () => {
  it('unknown paths outside the dialects: 404 in the native shape', async () => {
    const cases: Array<[string, string]> = [
      ['GET', '/nope'],
      ['GET', '/api/v1/nope'],
      ['GET', '/api/v2/nope'],
      ['PATCH', '/api/nope'],
    ];
    for (const [method, url] of cases) {
      const answer = await h.app.inject({ method: method as 'GET', url });
      expect({ method, url, status: answer.statusCode, body: json(answer) }).toEqual({
        method,
        url,
        status: 404,
        body: NATIVE_404,
      });
    }
  });

  it('wrong methods outside the dialects: 405 in the native shape, with Allow', async () => {
    const cases: Array<[string, string, string]> = [
      ['PUT', '/api/v1/auth/sign-in', 'POST'],
      ['DELETE', '/health', 'GET, HEAD'],
      ['POST', '/health', 'GET, HEAD'],
      ['DELETE', '/ready', 'GET, HEAD'],
      ['POST', '/openapi.json', 'GET, HEAD'],
      ['POST', '/.well-known/jwks.json', 'GET, HEAD'],
      ['DELETE', '/', 'GET, HEAD'],
    ];
    for (const [method, url, allow] of cases) {
      const answer = await h.app.inject({ method: method as 'GET', url });
      expect({ method, url, status: answer.statusCode, allow: answer.headers.allow, body: json(answer) }).toEqual({
        method,
        url,
        status: 405,
        allow,
        body: { error: { code: 'HTTP_METHOD_NOT_ALLOWED', message: expect.stringContaining(allow) } },
      });
    }
  });

  it('under a dialect’s prefix: 404 in that dialect’s shape', async () => {
    const b2core = await h.app.inject({ method: 'GET', url: '/api/v2/my/nope' });
    expect([b2core.statusCode, json(b2core)]).toEqual([404, { code: 404, message: expect.any(String), errors: {} }]);
    const b2coreMethod = await h.app.inject({ method: 'PUT', url: '/api/v2/my/signin' });
    expect([b2coreMethod.statusCode, json(b2coreMethod)]).toEqual([
      404,
      { code: 404, message: expect.any(String), errors: {} },
    ]);

    for (const url of ['/api/auth/nope', '/api/users/2fa/nope']) {
      const mudbase = await h.app.inject({ method: 'GET', url });
      expect(mudbase.statusCode).toBe(404);
      expect(json(mudbase)).toMatchObject({ error: expect.any(String), code: expect.any(String), path: url });
      expect(json(mudbase)).not.toHaveProperty('error.code');
    }

    const vpsbg = await h.app.inject({ method: 'GET', url: '/v1/nope', headers: { authorization: 'Bearer tsa_x' } });
    expect(vpsbg.statusCode).toBe(401);
    expect(json(vpsbg)).toEqual({ message: expect.any(String) });

    const uapi = await h.app.inject({ method: 'GET', url: '/execute/Nope/function' });
    expect(uapi.statusCode).toBe(401);
    expect(json(uapi)).toHaveProperty('result.status', 0);
  });

  it('the catch-alls stay out of the dialects’ documents', async () => {
    const doc = json<{ paths: Record<string, unknown> }>(await h.app.inject({ url: '/openapi/b2core.json' }));
    expect(Object.keys(doc.paths).some((path) => path.includes('*'))).toBe(false);
  });
});
