/**
 * Fault: the SMS or e-mail provider is down or slow. The whole server, configured through its
 * settings as an operator would, sends through real providers that fail for real: a webhook
 * endpoint that answers 500 or never answers, a local HTTP server in Twilio's API shape that
 * answers 500, and an SMTP server that refuses the recipient or never greets. The caller gets
 * 502 DELIVERY_FAILED in its API shape within the configured timeout; no code counts as sent
 * (nothing pending, the per-recipient and per-account budgets untouched, so sends work again
 * at once when the provider is back); and the log names the provider and the failure.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tessera/core';
import { type RunningServer, startServer } from '@tessera/server';
import type { SMTPServerAuthenticationResponse } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpStub } from '../../packages/delivery/src/test-support/http-stub.js';
import { SmtpSink } from '../../packages/delivery/src/test-support/smtp-sink.js';
import { LogCapture } from '../support/log-capture.js';

const TIMEOUT_MS = 300;
/** Sends per recipient and SMS per account an hour: a failed send that counted would exhaust them. */
const BUDGET = 2;
const SID = `AC${'0123456789abcdef'.repeat(2)}`;

type SmtpMode = 'accept' | 'refuse' | 'silent';
let smtpMode: SmtpMode = 'accept';
const heldGreetings: Array<() => void> = [];

let dataDir: string;
let smtp: SmtpSink;
let webhook: HttpStub;
let twilio: HttpStub;
let log: LogCapture;
let server: RunningServer;
let twilioLog: LogCapture;
let twilioServer: RunningServer;

function baseEnv(dir: string): Record<string, string> {
  return {
    TESSERA_DATA_DIR: dir,
    TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
    PORT: '0',
    TESSERA_SIGNUP: 'open',
    TESSERA_CODE_HOURLY_LIMIT: String(BUDGET),
    TESSERA_SMS_ACCOUNT_HOURLY_LIMIT: String(BUDGET),
    TESSERA_SMS_TIMEOUT_MS: String(TIMEOUT_MS),
    // Every call of this file comes from 127.0.0.1; the per-address limit is not under test.
    TESSERA_RATE_LIMIT_CODE_SENDS_PER_HOUR: '1000',
  };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-provider-faults-'));
  smtp = await SmtpSink.start({
    // Withholding the callback withholds the greeting: the server holds the connection, silent.
    onConnect: (_session, callback) => {
      if (smtpMode === 'silent') heldGreetings.push(() => callback());
      else callback();
    },
    onRcptTo: (_address, _session, callback) => {
      if (smtpMode !== 'refuse') return callback();
      const refusal = Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 });
      callback(refusal as Error & SMTPServerAuthenticationResponse);
    },
  });
  webhook = await HttpStub.start();
  twilio = await HttpStub.start();
  const env = {
    ...baseEnv(join(dataDir, 'a')),
    TESSERA_SMS_PROVIDER: 'webhook',
    TESSERA_SMS_WEBHOOK_URL: `${webhook.url}/sms`,
    TESSERA_SMS_WEBHOOK_SECRET: 'a-webhook-secret-of-some-length',
    TESSERA_EMAIL_PROVIDER: 'smtp',
    TESSERA_SMTP_HOST: '127.0.0.1',
    TESSERA_SMTP_PORT: String(smtp.port),
    TESSERA_SMTP_TIMEOUT_MS: String(TIMEOUT_MS),
    TESSERA_EMAIL_FROM: 'tessera@example.test',
  };
  log = new LogCapture();
  server = await startServer(loadConfig(env), log, env);
  const twilioEnv = {
    ...baseEnv(join(dataDir, 'b')),
    TESSERA_SMS_PROVIDER: 'twilio',
    TESSERA_TWILIO_ACCOUNT_SID: SID,
    TESSERA_TWILIO_AUTH_TOKEN: 'secret-token',
    TESSERA_TWILIO_FROM: '+15005550006',
    TESSERA_TWILIO_BASE_URL: twilio.url,
  };
  twilioLog = new LogCapture();
  twilioServer = await startServer(loadConfig(twilioEnv), twilioLog, twilioEnv);
});

afterAll(async () => {
  for (const release of heldGreetings.splice(0)) release();
  await server?.close();
  await twilioServer?.close();
  await smtp?.close();
  await webhook?.close();
  await twilio?.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  json: Record<string, unknown>;
}

async function call(base: string, method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function signedUp(base: string): Promise<{ token: string; email: string }> {
  const username = `user${randomBytes(4).toString('hex')}`;
  const email = `${username}@example.test`;
  const password = 'correct horse battery';
  expect((await call(base, 'POST', '/api/v1/users', { username, password, email })).status).toBe(201);
  const signIn = await call(base, 'POST', '/api/v1/auth/sign-in', { username, password });
  return { token: (signIn.json as { accessToken: string }).accessToken, email };
}

function uniquePhone(): string {
  return `+35988${String(Math.floor(Math.random() * 10_000_000)).padStart(7, '0')}`;
}

function expectDeliveryFailed(answer: Answer): void {
  expect(answer.status).toBe(502);
  expect(answer.json).toEqual({ error: { code: 'DELIVERY_FAILED', message: expect.any(String) } });
}

/** The log lines of failed sends since `mark`, parsed. */
function failures(capture: LogCapture, mark: number): Array<{ provider: string; err: string; msg: string }> {
  return capture.lines
    .slice(mark)
    .map((line) => JSON.parse(line) as { provider: string; err: string; msg: string })
    .filter((entry) => entry.msg?.startsWith('code delivery failed'));
}

async function factors(base: string, token: string): Promise<unknown[]> {
  return ((await call(base, 'GET', '/api/v1/me/factors', undefined, token)).json as { factors: unknown[] }).factors;
}

/** Enables SMS with the code the provider received last; proves a send works and the code is good. */
async function enableSmsWorks(base: string, token: string, phone: string, stub: HttpStub): Promise<void> {
  const started = await call(base, 'POST', '/api/v1/me/2fa/enable', { method: 'sms', phone }, token);
  expect(started.status).toBe(201);
  const last = stub.requests.at(-1)?.rawBody.toString('utf8') ?? '';
  const code = /(\d{6}) is your/.exec(decodeURIComponent(last.replace(/\+/g, ' ')))?.[1];
  expect(code).toMatch(/^\d{6}$/);
  const confirmed = await call(base, 'POST', `/api/v1/me/2fa/enable/${started.json.flowId}/confirm`, { code }, token);
  expect(confirmed.status).toBe(200);
}

describe('the SMS webhook answers 500', () => {
  it('is 502 each time, spends no budget, leaves nothing pending, and logs the provider and the status', async () => {
    const { token } = await signedUp(server.url);
    const phone = uniquePhone();
    webhook.handler = (_request, response) => response.writeHead(500).end('upstream broke');
    const mark = log.mark();
    // More failures than the recipient's and the account's hourly budgets hold.
    for (let i = 0; i < BUDGET + 2; i++) {
      expectDeliveryFailed(await call(server.url, 'POST', '/api/v1/me/2fa/enable', { method: 'sms', phone }, token));
    }
    expect(await factors(server.url, token)).toEqual([]);
    const logged = failures(log, mark);
    expect(logged).toHaveLength(BUDGET + 2);
    for (const entry of logged) {
      expect(entry.provider).toBe('webhook');
      expect(entry.err).toContain('HTTP 500');
      expect(entry.msg).toContain('webhook');
    }

    webhook.handler = (_request, response) => response.writeHead(204).end();
    await enableSmsWorks(server.url, token, phone, webhook);
  });
});

describe('the SMS webhook never answers', () => {
  it('is 502 once the timeout passes, in the native shape and in a dialect shape', async () => {
    const { token } = await signedUp(server.url);
    // Holds every request open: the timeout must end it.
    webhook.handler = () => undefined;
    const mark = log.mark();
    try {
      expectDeliveryFailed(
        await call(server.url, 'POST', '/api/v1/me/2fa/enable', { method: 'sms', phone: uniquePhone() }, token),
      );
      // b2core's SMS enable wizard: the phone step sends the code.
      const wizard = await call(server.url, 'GET', '/api/v2/my/2fa/sms/enable/wizard', undefined, token);
      expect(wizard.status).toBe(200);
      const step = await call(
        server.url,
        'POST',
        '/api/v2/my/2fa/wizard',
        { uuid: wizard.json.uuid, phone: uniquePhone() },
        token,
      );
      expect(step.status).toBe(502);
      expect(step.json).toEqual({ code: 502, message: expect.any(String), errors: {} });
    } finally {
      webhook.handler = (_request, response) => response.writeHead(204).end();
    }
    const logged = failures(log, mark);
    expect(logged.map((entry) => entry.provider)).toEqual(['webhook', 'webhook']);
    expect(logged[0]?.err).toContain(`within ${TIMEOUT_MS} ms`);
    expect(await factors(server.url, token)).toEqual([]);
  });
});

describe('the SMTP server refuses the recipient', () => {
  it('is 502 each time, spends no budget, and logs smtp with its reply code', async () => {
    const { token, email } = await signedUp(server.url);
    smtpMode = 'refuse';
    const mark = log.mark();
    try {
      for (let i = 0; i < BUDGET + 1; i++) {
        expectDeliveryFailed(await call(server.url, 'POST', '/api/v1/me/2fa/enable', { method: 'email' }, token));
      }
    } finally {
      smtpMode = 'accept';
    }
    const logged = failures(log, mark);
    expect(logged).toHaveLength(BUDGET + 1);
    for (const entry of logged) {
      expect(entry.provider).toBe('smtp');
      expect(entry.err).toContain('550');
    }
    expect(await factors(server.url, token)).toEqual([]);
    // Back: the recipient's budget is whole, and the code that arrives works.
    const started = await call(server.url, 'POST', '/api/v1/me/2fa/enable', { method: 'email' }, token);
    expect(started.status).toBe(201);
    const mail = smtp.received.filter((m) => m.rcptTo.includes(email)).at(-1);
    const code = /(\d{6}) is your/.exec(mail?.raw ?? '')?.[1];
    const confirmed = await call(
      server.url,
      'POST',
      `/api/v1/me/2fa/enable/${started.json.flowId}/confirm`,
      { code },
      token,
    );
    expect(confirmed.status).toBe(200);
  });
});

describe('the SMTP server never greets', () => {
  it('is 502 once the timeout passes, and logs smtp and the timeout', async () => {
    const { token } = await signedUp(server.url);
    smtpMode = 'silent';
    const mark = log.mark();
    try {
      expectDeliveryFailed(await call(server.url, 'POST', '/api/v1/me/2fa/enable', { method: 'email' }, token));
    } finally {
      smtpMode = 'accept';
      for (const release of heldGreetings.splice(0)) release();
    }
    const logged = failures(log, mark);
    expect(logged).toHaveLength(1);
    expect(logged[0]?.provider).toBe('smtp');
    expect(logged[0]?.err).toMatch(/greeting|timeout/i);
    expect(await factors(server.url, token)).toEqual([]);
  });
});

describe('Twilio answers 500', () => {
  it('is 502 each time, spends no budget, and logs twilio with the status', async () => {
    const { token } = await signedUp(twilioServer.url);
    const phone = uniquePhone();
    twilio.handler = (_request, response) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: 20500, message: 'Internal Server Error', status: 500 }));
    };
    const mark = twilioLog.mark();
    for (let i = 0; i < BUDGET + 1; i++) {
      expectDeliveryFailed(
        await call(twilioServer.url, 'POST', '/api/v1/me/2fa/enable', { method: 'sms', phone }, token),
      );
    }
    const logged = failures(twilioLog, mark);
    expect(logged).toHaveLength(BUDGET + 1);
    for (const entry of logged) {
      expect(entry.provider).toBe('twilio');
      expect(entry.err).toMatch(/500/);
    }
    expect(await factors(twilioServer.url, token)).toEqual([]);

    twilio.handler = (_request, response) => {
      response.writeHead(201, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ sid: 'SM123', status: 'queued' }));
    };
    await enableSmsWorks(twilioServer.url, token, phone, twilio);
  });
});
