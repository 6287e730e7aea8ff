import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TesseraClient } from '@tessera/client';
import { SYSTEM_ACTOR } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENEROUS_RATE_LIMITS } from '../support/harness.js';
import { PASSWORD, rejection, uniqueName, useSdkServer } from './sdk-support.js';

const server = useSdkServer({ rateLimit: { limits: { ...GENEROUS_RATE_LIMITS, signInPerMinute: 2 } } });

/** An HTTP server of the test's own; its handler is set per test. */
let other: Server;
let otherUrl: string;
let handle: (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => void;
beforeAll(async () => {
  other = createServer((request, response) => handle(request, response));
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => other.close(() => resolve())));

describe('TesseraError', () => {
  it('carries Retry-After as retryAfter on a 429 of the rate limiter', async () => {
    const client = server.client();
    const username = uniqueName();
    const attempts = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      attempts.push(await client.auth.signIn({ username, password: PASSWORD }).catch((error: unknown) => error));
    }
    const limited = attempts[2];
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', status: 429, operationId: 'signIn' });
    expect((limited as { retryAfter: number }).retryAfter).toBeGreaterThan(0);
    expect((limited as { retryAfter: number }).retryAfter).toBeLessThanOrEqual(60);
  });

  it('is UNEXPECTED_RESPONSE, with the status, for an answer that is not a Tessera error body', async () => {
    handle = (_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html', 'retry-after': '30' });
      response.end('<html><body>Bad Gateway</body></html>');
    };
    const error = await rejection(new TesseraClient({ baseUrl: otherUrl }).system.health());
    expect(error).toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 502, retryAfter: 30 });
    expect(error.message).toContain('Bad Gateway');
  });

  it('reads an HTTP-date Retry-After as the seconds until then', async () => {
    handle = (_request, response) => {
      response.writeHead(503, {
        'content-type': 'application/json',
        'retry-after': new Date(Date.now() + 120_000).toUTCString(),
      });
      response.end(JSON.stringify({ error: { code: 'NOT_READY', message: 'Not ready.' } }));
    };
    const error = await rejection(new TesseraClient({ baseUrl: otherUrl }).system.readiness());
    expect(error.code).toBe('NOT_READY');
    expect(error.retryAfter).toBeGreaterThanOrEqual(118);
    expect(error.retryAfter).toBeLessThanOrEqual(120);
  });

  it('leaves a network failure as fetch’s own error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await new TesseraClient({ baseUrl: `http://127.0.0.1:${port}` }).system.health().catch((e) => e);
    expect(error).toBeInstanceOf(TypeError);
  });
});

describe('baseUrl', () => {
  it('keeps a reverse proxy’s path prefix, and path parameters are percent-encoded', async () => {
    const seen: string[] = [];
    // A reverse proxy that serves Tessera under /2fa, as a real one would be set up.
    handle = (request, response) => {
      seen.push(request.url ?? '');
      const target = new URL(server.baseUrl);
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: (request.url ?? '').replace(/^\/2fa/, ''),
          headers: request.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      request.pipe(upstream);
    };
    // An API token, since this server's sign-in limit is spent by the test above.
    const user = await server.h.core.accounts.create(SYSTEM_ACTOR, { username: uniqueName(), password: PASSWORD });
    const { token } = await server.h.core.apiTokens.issue(user.id, 'proxied', 'write');
    const proxied = new TesseraClient({ baseUrl: `${otherUrl}/2fa/`, apiToken: token });
    expect((await proxied.me.get()).account.role).toBe('user');
    const missing = await rejection(proxied.history.get('a/b?c'));
    expect(missing.status).toBe(400);
    expect(seen).toEqual(['/2fa/api/v1/me', '/2fa/api/v1/me/2fa/history/a%2Fb%3Fc']);
  });
});
