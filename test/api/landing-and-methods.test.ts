import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

describe('GET / and the docs a running server serves', () => {
  it('GET / gives a program the links, and sends a browser to /docs', async () => {
    const forProgram = await h.app.inject({ method: 'GET', url: '/' });
    expect(forProgram.statusCode).toBe(200);
    expect(json(forProgram)).toEqual({
      name: 'Tessera',
      links: {
        docs: '/docs',
        openapi: '/openapi.json',
        errors: '/docs/errors.md',
        health: '/health',
        ready: '/ready',
      },
    });
    const forBrowser = await h.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html,*/*' } });
    expect(forBrowser.statusCode).toBe(302);
    expect(forBrowser.headers.location).toBe('/docs');
  });

  it('tells a sign-in page that passkeys do not sign in on a server without a relying party', async () => {
    const told = await h.app.inject({ method: 'GET', url: '/api/v1/auth/passkey' });
    expect(told.statusCode).toBe(200);
    expect(json(told)).toEqual({ available: false });
    const refused = await h.app.inject({ method: 'POST', url: '/api/v1/auth/passkey/options' });
    expect(refused.statusCode).toBe(409);
  });

  it('serves docs/errors.md where the document links to it, and names the server', async () => {
    const document = json<{ servers?: unknown; externalDocs: { url: string } }>(
      await h.app.inject({ method: 'GET', url: '/openapi.json' }),
    );
    expect(document.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    const errors = await h.app.inject({ method: 'GET', url: document.externalDocs.url });
    expect(errors.statusCode).toBe(200);
    expect(errors.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(errors.body).toBe(await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8'));
  });
});

describe('a method a path does not take', () => {
  it('is 405 HTTP_METHOD_NOT_ALLOWED with Allow, not 404', async () => {
    const cases = [
      ['DELETE', '/health', 'GET, HEAD'],
      ['GET', '/api/v1/auth/sign-in', 'POST'],
      ['PUT', '/api/v1/me/factors/8a1c5c1e-0000-4000-8000-000000000000', 'DELETE'],
      ['POST', '/api/v1/admin/users/some-user', 'GET, HEAD, PATCH, DELETE'],
    ] as const;
    for (const [method, url, allow] of cases) {
      const response = await h.app.inject({ method, url });
      expect(response.statusCode, `${method} ${url}`).toBe(405);
      expect(response.headers.allow).toBe(allow);
      expect(json(response)).toEqual({
        error: { code: 'HTTP_METHOD_NOT_ALLOWED', message: `${url} does not take ${method}; it takes ${allow}.` },
      });
    }
  });

  it('leaves an unknown path a 404 ROUTE_NOT_FOUND', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/api/v1/no-such-thing' });
    expect(response.statusCode).toBe(404);
    expect(response.headers.allow).toBeUndefined();
    expect(json(response)).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });
});
