import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryFailedError } from '../delivery-failed-error.js';
import { closedPort, HttpStub, type ReceivedRequest } from '../test-support/http-stub.js';
import { createTwilioSmsSender } from './twilio-sms-sender.js';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'twilio-test-auth-token';
const FROM = '+14155550100';
const CODE = '271828';
const MESSAGE = { to: '+359888123456', body: `Your Tessera code is ${CODE}`, code: CODE };

let stub: HttpStub;
/** Every form the fake Twilio accepted, as Twilio would have parsed it. */
let accepted: URLSearchParams[];

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** Checks a request the way the Messages API does and answers with Twilio's JSON shapes. */
function fakeTwilio(request: ReceivedRequest, response: ServerResponse): void {
  const expectedAuth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
  if (request.headers.authorization !== expectedAuth) {
    json(response, 401, {
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
    return;
  }
  if (request.method !== 'POST' || request.url !== `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`) {
    json(response, 404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    return;
  }
  if (request.headers['content-type'] !== 'application/x-www-form-urlencoded') {
    json(response, 400, { code: 20001, message: 'Unsupported content type', status: 400 });
    return;
  }
  const form = new URLSearchParams(request.rawBody.toString('utf8'));
  if (!form.get('From') && !form.get('MessagingServiceSid')) {
    json(response, 400, {
      code: 21603,
      message: "A 'From' or 'MessagingServiceSid' parameter is required",
      status: 400,
    });
    return;
  }
  if (!/^\+[1-9]\d{1,14}$/.test(form.get('To') ?? '')) {
    json(response, 400, {
      code: 21211,
      message: "The 'To' number is not a valid phone number.",
      more_info: 'https://www.twilio.com/docs/errors/21211',
      status: 400,
    });
    return;
  }
  accepted.push(form);
  json(response, 201, {
    sid: `SM${'f'.repeat(32)}`,
    account_sid: ACCOUNT_SID,
    to: form.get('To'),
    from: form.get('From'),
    body: form.get('Body'),
    status: 'queued',
  });
}

beforeEach(async () => {
  stub = await HttpStub.start();
  stub.handler = fakeTwilio;
  accepted = [];
});
afterEach(async () => {
  await stub.close();
});

const sender = (overrides: { authToken?: string; from?: string; timeoutMs?: number; baseUrl?: string } = {}) =>
  createTwilioSmsSender({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    from: FROM,
    baseUrl: stub.url,
    ...overrides,
  });

async function failure(promise: Promise<unknown>): Promise<DeliveryFailedError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DeliveryFailedError);
  return error as DeliveryFailedError;
}

describe('Twilio SMS provider', () => {
  it('creates a message through the Messages API with Basic auth and form fields', async () => {
    const twilio = sender();
    expect(twilio.provider).toBe('twilio');
    await twilio.send(MESSAGE);

    expect(accepted).toHaveLength(1);
    const form = accepted[0]!;
    expect(form.get('To')).toBe(MESSAGE.to);
    expect(form.get('From')).toBe(FROM);
    expect(form.get('Body')).toBe(MESSAGE.body);
    expect(form.has('MessagingServiceSid')).toBe(false);
    expect([...form.keys()].sort()).toEqual(['Body', 'From', 'To']);
  });

  it('sends a Messaging Service SID as MessagingServiceSid instead of From', async () => {
    const service = `MG${'a'.repeat(32)}`;
    await sender({ from: service }).send(MESSAGE);
    expect(accepted[0]!.get('MessagingServiceSid')).toBe(service);
    expect(accepted[0]!.has('From')).toBe(false);
  });

  it('tolerates a trailing slash on the base URL', async () => {
    await sender({ baseUrl: `${stub.url}/` }).send(MESSAGE);
    expect(accepted).toHaveLength(1);
  });

  it("turns Twilio's error answer into a DeliveryFailedError with Twilio's code and message", async () => {
    const error = await failure(sender().send({ ...MESSAGE, to: '0888 123' }));
    expect(error.provider).toBe('twilio');
    expect(error.providerCode).toBe(21211);
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      "twilio delivery failed: Twilio error 21211 (HTTP 400): The 'To' number is not a valid phone number.",
    );
    expect(error.message).not.toContain(CODE);
  });

  it('reports wrong credentials with the code Twilio gives them', async () => {
    const error = await failure(sender({ authToken: 'wrong' }).send(MESSAGE));
    expect(error.providerCode).toBe(20003);
    expect(error.status).toBe(401);
  });

  it('reports a non-JSON error answer by its status', async () => {
    stub.handler = (_request, response) => {
      response.writeHead(502, { 'Content-Type': 'text/html' }).end('<html>Bad gateway</html>');
    };
    const error = await failure(sender().send(MESSAGE));
    expect(error.message).toBe('twilio delivery failed: Twilio answered HTTP 502');
    expect(error.providerCode).toBeUndefined();
  });

  it('rejects after the timeout when Twilio does not answer', async () => {
    stub.handler = () => {
      // Never answers.
    };
    const error = await failure(sender({ timeoutMs: 50 }).send(MESSAGE));
    expect(error.provider).toBe('twilio');
    expect(error.message).toBe(`twilio delivery failed: no answer from ${stub.url} within 50 ms`);
    // Ended by the timeout, not by a refused or broken connection.
    expect(error.cause).toBeInstanceOf(DOMException);
    expect((error.cause as DOMException).name).toBe('TimeoutError');
  });

  it('rejects when the API cannot be reached', async () => {
    const error = await failure(sender({ baseUrl: `http://127.0.0.1:${await closedPort()}` }).send(MESSAGE));
    expect(error.message).toContain('ECONNREFUSED');
  });
});
