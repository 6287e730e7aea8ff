/**
 * Property: no answer of the API (tokens, TOTP secrets, QR codes, backup codes) may be stored
 * by a browser or a proxy; no answer may be sniffed into another content type; the
 * documentation page can be framed by no one and runs only its own scripts, which all load.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, createSignedInUser, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

function directives(response: LightMyRequestResponse): Map<string, string[]> {
  const policy = String(response.headers['content-security-policy'] ?? '');
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name ?? '', values]),
  );
}

describe('answers of the API', () => {
  it('that carry tokens are not stored', async () => {
    const user = await createSignedInUser(h);
    const signIn = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: user.username, password: user.password },
    });
    expect(signIn.statusCode).toBe(200);
    expect(signIn.headers['cache-control']).toBe('no-store');
    expect(signIn.headers['x-content-type-options']).toBe('nosniff');
  });

  it('that carry a TOTP secret and its QR code are not stored', async () => {
    const user = await createSignedInUser(h);
    const begun = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/factors/totp',
      headers: bearer(user.accessToken),
    });
    expect(begun.statusCode).toBe(201);
    expect(begun.body).toContain('otpauth://');
    expect(begun.headers['cache-control']).toBe('no-store');
    expect(begun.headers['x-content-type-options']).toBe('nosniff');
  });

  it('that carry backup codes are not stored', async () => {
    const user = await createSignedInUser(h);
    const enabled = await h.app.inject({
      method: 'POST',
      url: '/api/v1/me/2fa/enable',
      headers: bearer(user.accessToken),
      payload: { method: 'backup_codes' },
    });
    expect(enabled.statusCode).toBeLessThan(300);
    expect(enabled.body).toMatch(/"codes"/);
    expect(enabled.headers['cache-control']).toBe('no-store');
  });

  it('that are errors, or of no route, are not stored either', async () => {
    for (const url of ['/api/v1/me', '/api/v1/no-such-route']) {
      const answer = await h.app.inject({ method: 'GET', url });
      expect(answer.statusCode).toBeGreaterThanOrEqual(400);
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});

describe('every answer', () => {
  it('forbids sniffing and framing', async () => {
    for (const url of ['/health', '/openapi.json', '/no-such-page', '/docs']) {
      const answer = await h.app.inject({ method: 'GET', url });
      expect(answer.headers['x-content-type-options'], url).toBe('nosniff');
      expect(answer.headers['x-frame-options'], url).toBe('DENY');
    }
  });
});

describe('the documentation page', () => {
  it('renders under a policy that allows only its own scripts, and no framing', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('id="swagger-ui"');
    expect(page.headers['x-frame-options']).toBe('DENY');

    const policy = directives(page);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('default-src')).toEqual(["'self'"]);

    // Such a policy blocks inline scripts: the page must have none, and load all of its own.
    const tags = [...page.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(tags.length).toBeGreaterThan(0);
    for (const [, attributes, content] of tags) {
      expect(attributes).toMatch(/\bsrc="/);
      expect(content?.trim()).toBe('');
    }
    const assets = [...page.body.matchAll(/\b(?:src|href)="([^"]+)"/g)].map(([, url]) => url ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      const url = new URL(asset, 'http://tessera.test/docs/');
      expect(url.origin, asset).toBe('http://tessera.test');
      const loaded = await h.app.inject({ method: 'GET', url: url.pathname });
      expect(loaded.statusCode, asset).toBe(200);
      expect(loaded.headers['x-content-type-options'], asset).toBe('nosniff');
    }

    // And the API description it shows.
    const described = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(described.statusCode).toBe(200);
    expect(described.json()).toHaveProperty('openapi');
  });
});
