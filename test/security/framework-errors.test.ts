/**
 * Requests refused before any route sees them — by Node's HTTP parser or by Fastify's router —
 * answer in the same `{"error":{"code","message"}}` shape as every other error, with the
 * status of the code. 431 (and the parser's other refusals) happen only on a real socket, so
 * those are sent to a listening server.
 */

import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../support/harness.js';

let h: Harness;
let port: number;

beforeAll(async () => {
  h = await createHarness();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  port = (h.app.server.address() as AddressInfo).port;
});
afterAll(async () => h.close());

type ErrorResponse = { error: { code: string; message: string } };

/** Sends raw bytes and reads the whole answer (the server closes the connection after an error). */
function sendRaw(request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close while the rest of an oversized request is still being written.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body });
    });
    socket.write(request);
  });
}

function expectError(body: string, code: string): void {
  const parsed = JSON.parse(body) as ErrorResponse;
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message.length).toBeGreaterThan(5);
}

describe('errors before routing, over a real socket', () => {
  it('headers over the limit are a 431 HEADERS_TOO_LARGE', async () => {
    const response = await sendRaw(
      `GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(response.status).toBe(431);
    expect(response.headers).toMatch(/content-type: application\/json/i);
    expectError(response.body, 'HEADERS_TOO_LARGE');
  });

  it('a request line over the limit is a 431 HEADERS_TOO_LARGE too', async () => {
    const response = await sendRaw(`GET /api/v1/me?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expect(response.status).toBe(431);
    expectError(response.body, 'HEADERS_TOO_LARGE');
  });

  it('a path parameter over the router limit is a 414 URI_TOO_LONG', async () => {
    const response = await sendRaw(
      `GET /api/v1/me/2fa/history/${'a'.repeat(500)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    );
    expect(response.status).toBe(414);
    expectError(response.body, 'URI_TOO_LONG');
  });

  it('bytes that are not HTTP are a 400 VALIDATION_FAILED', async () => {
    const response = await sendRaw('HELLO\x01 there\r\n\r\n');
    expect(response.status).toBe(400);
    expectError(response.body, 'VALIDATION_FAILED');
  });

  it('a NUL in a header value is a 400 VALIDATION_FAILED', async () => {
    const response = await sendRaw('GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer a\0b\r\n\r\n');
    expect(response.status).toBe(400);
    expectError(response.body, 'VALIDATION_FAILED');
  });
});

describe('errors of the router', () => {
  it('a URL that is not validly percent-encoded is a 400 VALIDATION_FAILED', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/api/v1/me/2fa/history/%E0%A4%A' });
    expect(response.statusCode).toBe(400);
    expectError(response.body, 'VALIDATION_FAILED');
  });

  it('a path parameter over the router limit is a 414 URI_TOO_LONG', async () => {
    const response = await h.app.inject({ method: 'POST', url: `/api/v1/auth/sign-in/${'a'.repeat(101)}/method` });
    expect(response.statusCode).toBe(414);
    expectError(response.body, 'URI_TOO_LONG');
  });

  it.each(['/nothing-here', '/api', '/api/v2/users', '/api/v1/nothing-here'])(
    'an unknown route (%s) is a 404 ROUTE_NOT_FOUND',
    async (url) => {
      const response = await h.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expectError(response.body, 'ROUTE_NOT_FOUND');
    },
  );

  it('a method a route does not have is a 405 HTTP_METHOD_NOT_ALLOWED with Allow', async () => {
    const response = await h.app.inject({ method: 'PATCH', url: '/api/v1/me' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect(json<ErrorResponse>(response).error.code).toBe('HTTP_METHOD_NOT_ALLOWED');
  });
});
