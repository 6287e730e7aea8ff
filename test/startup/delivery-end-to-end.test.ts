import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tessera/core';
import { type RunningServer, startServer } from '@tessera/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpStub } from '../../packages/delivery/src/test-support/http-stub.js';
import { SmtpSink } from '../../packages/delivery/src/test-support/smtp-sink.js';
import { LogCapture } from '../support/log-capture.js';

/**
 * The whole server, started as `npm start` starts it, delivering through real providers: an SMTP
 * server on loopback, and a local HTTP server that answers like Twilio's Messages API.
 */
let dataDir: string;
let smtp: SmtpSink;
let twilio: HttpStub;
let server: RunningServer;
const SID = `AC${'0123456789abcdef'.repeat(2)}`;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-delivery-'));
  smtp = await SmtpSink.start();
  twilio = await HttpStub.start();
  twilio.handler = (request, response) => {
    const form = new URLSearchParams(request.rawBody.toString('utf8'));
    const auth = Buffer.from(String(request.headers.authorization).replace(/^Basic /, ''), 'base64').toString();
    const ok =
      request.url === `/2010-04-01/Accounts/${SID}/Messages.json` && auth === `${SID}:secret-token` && form.get('To');
    response.writeHead(ok ? 201 : 401, { 'content-type': 'application/json' });
    response.end(JSON.stringify(ok ? { sid: 'SM123', status: 'queued' } : { code: 20003, message: 'Authenticate' }));
  };
  const env = {
    TESSERA_DATA_DIR: dataDir,
    TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
    PORT: '0',
    TESSERA_SIGNUP: 'open',
    TESSERA_EMAIL_PROVIDER: 'smtp',
    TESSERA_SMTP_HOST: '127.0.0.1',
    TESSERA_SMTP_PORT: String(smtp.port),
    TESSERA_SMTP_SECURE: 'false',
    TESSERA_EMAIL_FROM: 'tessera@example.test',
    TESSERA_SMS_PROVIDER: 'twilio',
    TESSERA_TWILIO_ACCOUNT_SID: SID,
    TESSERA_TWILIO_AUTH_TOKEN: 'secret-token',
    TESSERA_TWILIO_FROM: '+15005550006',
    TESSERA_TWILIO_BASE_URL: twilio.url,
  };
  server = await startServer(loadConfig(env), new LogCapture(), env);
});

afterEach(async () => {
  await server.close();
  await smtp.close();
  await twilio.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function post(
  path: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function signedIn(): Promise<string> {
  const credentials = { username: 'carol', password: 'correct horse battery', email: 'carol@example.test' };
  expect((await post('/users', credentials)).status).toBe(201);
  const signIn = await post('/auth/sign-in', { username: 'carol', password: credentials.password });
  return (signIn.json as { accessToken: string }).accessToken;
}

describe('delivery through real providers', () => {
  it('enables e-mail codes with a code that arrived at the SMTP server', async () => {
    const token = await signedIn();
    const started = await post('/me/2fa/enable', { method: 'email' }, token);
    expect(started.status).toBe(201);
    const mail = smtp.received.find((m) => m.rcptTo.includes('carol@example.test'));
    expect(mail?.mailFrom).toBe('tessera@example.test');
    const code = /(\d{6}) is your/.exec(mail?.raw ?? '')?.[1];
    expect(code).toMatch(/^\d{6}$/);
    const confirmed = await post(`/me/2fa/enable/${started.json.flowId}/confirm`, { code }, token);
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.state).toBe('enabled');
  });

  it('enables SMS codes with a code sent through the Twilio API shape', async () => {
    const token = await signedIn();
    const started = await post('/me/2fa/enable', { method: 'sms', phone: '+359888123456' }, token);
    expect(started.status).toBe(201);
    expect(twilio.requests).toHaveLength(1);
    const form = new URLSearchParams(twilio.requests[0]?.rawBody.toString('utf8'));
    expect(form.get('To')).toBe('+359888123456');
    expect(form.get('From')).toBe('+15005550006');
    const code = /(\d{6}) is your/.exec(form.get('Body') ?? '')?.[1];
    const confirmed = await post(`/me/2fa/enable/${started.json.flowId}/confirm`, { code }, token);
    expect(confirmed.status).toBe(200);
  });

  it('a provider refusal reaches the caller as 502 and nothing is left pending', async () => {
    await smtp.close();
    const token = await signedIn();
    const started = await post('/me/2fa/enable', { method: 'email' }, token);
    expect(started.status).toBe(502);
    expect((started.json.error as { code: string }).code).toBe('DELIVERY_FAILED');
    const factors = await fetch(`${server.url}/api/v1/me/factors`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await factors.json()) as { factors: unknown[] }).factors).toEqual([]);
    smtp = await SmtpSink.start();
  });
});
