/*
 * The web UI as the server serves it: / sends browsers to /ui/, every page of the app gets
 * index.html under a CSP with no inline script or style, the hashed assets may be cached for
 * good, and an API-only server (TESSERA_WEB_UI=off) serves none of it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_UI_CSP } from '@tessera/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_UI_ROOT } from '../browser/fixtures/ui-server.js';
import { createHarness, type Harness } from '../support/harness.js';

let withUi: Harness;
let apiOnly: Harness;
beforeAll(async () => {
  [withUi, apiOnly] = await Promise.all([createHarness({ webUiRoot: WEB_UI_ROOT }), createHarness()]);
});
afterAll(async () => {
  await Promise.all([withUi.close(), apiOnly.close()]);
});

describe('the web UI at /ui/', () => {
  it('sends / and /ui to /ui/', async () => {
    const root = await withUi.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/ui/');
    expect((await withUi.app.inject({ method: 'GET', url: '/ui' })).headers.location).toBe('/ui/');
  });

  it.each(['/ui/', '/ui/sign-in', '/ui/security', '/ui/admin/users/abc'])(
    'answers %s with the app under the strict policy, never cached',
    async (url) => {
      const page = await withUi.app.inject({ method: 'GET', url });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('<div id="app"></div>');
      expect(page.headers['content-security-policy']).toBe(WEB_UI_CSP);
      expect(page.headers['cache-control']).toBe('no-cache');
      // No inline script or style for the policy to allow.
      expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(page.body).not.toMatch(/<style|style="/);
    },
  );

  it('serves the hashed assets, cacheable for good', async () => {
    const asset = readdirSync(join(WEB_UI_ROOT, 'assets')).find((name) => name.endsWith('.js'));
    const response = await withUi.app.inject({ method: 'GET', url: `/ui/assets/${asset}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('keeps the policy strict: scripts and styles from files only, nothing from elsewhere', () => {
    expect(WEB_UI_CSP).toContain("script-src 'self'");
    expect(WEB_UI_CSP).toContain("style-src 'self'");
    expect(WEB_UI_CSP).toContain("default-src 'none'");
    expect(WEB_UI_CSP).toContain("frame-ancestors 'none'");
    expect(WEB_UI_CSP).not.toContain('unsafe-inline');
    expect(WEB_UI_CSP).not.toContain('unsafe-eval');
  });

  it('leaves the API as it was: its answers keep their own policy and are never stored', async () => {
    const health = await withUi.app.inject({ method: 'GET', url: '/health' });
    expect(health.headers['content-security-policy']).not.toBe(WEB_UI_CSP);
    expect(health.headers['cache-control']).toBe('no-store');
  });

  it('is not there on an API-only server', async () => {
    // Without the UI, a browser at / is sent to the API's documentation instead.
    const root = await apiOnly.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(root.headers.location).toBe('/docs');
    expect((await apiOnly.app.inject({ method: 'GET', url: '/ui/' })).statusCode).toBe(404);
  });
});
