import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryFailedError } from '../delivery-failed-error.js';
import { closedPort, HttpStub } from '../test-support/http-stub.js';
import { verifyWebhookSignature } from './webhook-signature.js';
import { createWebhookSmsSender } from './webhook-sms-sender.js';

const SECRET = 'webhook-test-secret-0123456789';
const CODE = '493817';
const MESSAGE = { to: '+359888123456', body: `Your Tessera code is ${CODE}`, code: CODE };
const PINNED = new Date('2026-03-01T12:00:00Z');

let stub: HttpStub;
beforeEach(async () => {
  stub = await HttpStub.start();
});
afterEach(async () => {
  await stub.close();
});

async function failure(promise: Promise<unknown>): Promise<DeliveryFailedError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeliveryFailedError);
  return error as DeliveryFailedError;
}

describe('webhook SMS provider', () => {
  it('POSTs the message as JSON, signed with HMAC-SHA256 of the raw body, and stamped', async () => {
    const sender = createWebhookSmsSender({
      url: `${stub.url}/hooks/sms`,
      secret: SECRET,
      clock: { now: () => PINNED },
    });
    expect(sender.provider).toBe('webhook');

    await sender.send(MESSAGE);

    expect(stub.requests).toHaveLength(1);
    const request = stub.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hooks/sms');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.rawBody.toString('utf8'))).toEqual({ type: 'sms', to: MESSAGE.to, body: MESSAGE.body });

    // What a receiver does: recompute the HMAC over the bytes it got, with nothing but node:crypto.
    const timestamp = String(request.headers['x-tessera-timestamp']);
    expect(timestamp).toBe(String(PINNED.getTime() / 1000));
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.`).update(request.rawBody).digest('hex')}`;
    expect(request.headers['x-tessera-signature']).toBe(expected);
    expect(verifyWebhookSignature(SECRET, timestamp, request.rawBody, expected)).toBe(true);
    expect(verifyWebhookSignature('another-secret-0123456789', timestamp, request.rawBody, expected)).toBe(false);
    expect(
      verifyWebhookSignature(
        SECRET,
        timestamp,
        Buffer.from(request.rawBody.toString().replace('+359', '+1')),
        expected,
      ),
    ).toBe(false);
    // A replay with a fresher timestamp header does not carry a valid signature.
    expect(verifyWebhookSignature(SECRET, String(Number(timestamp) + 600), request.rawBody, expected)).toBe(false);
  });

  it('does not send the code as a field of its own', async () => {
    await createWebhookSmsSender({ url: stub.url, secret: SECRET }).send(MESSAGE);
    const payload = JSON.parse(stub.requests[0]!.rawBody.toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(['body', 'to', 'type']);
  });

  it('rejects on a 500 answer, naming the provider and the status but not the code', async () => {
    stub.handler = (_request, response) => {
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`upstream broke while sending ${CODE}`);
    };
    const error = await failure(createWebhookSmsSender({ url: stub.url, secret: SECRET }).send(MESSAGE));
    expect(error.provider).toBe('webhook');
    expect(error.status).toBe(500);
    expect(error.message).toBe('webhook delivery failed: the endpoint answered HTTP 500');
    expect(error.message).not.toContain(CODE);
  });

  it('rejects on a 4xx answer too', async () => {
    stub.handler = (_request, response) => {
      response.writeHead(401).end();
    };
    const error = await failure(createWebhookSmsSender({ url: stub.url, secret: SECRET }).send(MESSAGE));
    expect(error.status).toBe(401);
  });

  it('rejects when nothing listens at the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/sms`;
    const error = await failure(createWebhookSmsSender({ url, secret: SECRET }).send(MESSAGE));
    expect(error.provider).toBe('webhook');
    expect(error.message).toMatch(
      /^webhook delivery failed: could not reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/,
    );
  });

  it('rejects after the configured timeout when the endpoint does not answer', async () => {
    stub.handler = () => {
      // Never answers.
    };
    const error = await failure(createWebhookSmsSender({ url: stub.url, secret: SECRET, timeoutMs: 50 }).send(MESSAGE));
    expect(error.message).toBe(`webhook delivery failed: no answer from ${stub.url} within 50 ms`);
    // Ended by the timeout, not by a refused or broken connection.
    expect(error.cause).toBeInstanceOf(DOMException);
    expect((error.cause as DOMException).name).toBe('TimeoutError');
  });

  it('keeps secrets in the URL path and query out of the error', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/sms?token=url-secret-token`;
    const error = await failure(createWebhookSmsSender({ url, secret: SECRET }).send(MESSAGE));
    expect(error.message).not.toContain('url-secret-token');
  });
});
