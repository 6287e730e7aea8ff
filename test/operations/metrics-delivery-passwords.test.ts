/**
 * Codes sent by channel and provider outcome, through a real SMTP server and a real HTTP SMS
 * receiver (and each stopped, for the failures), and password tries by outcome and throttling
 * budget: known traffic in, the counts read back through a scrape of the metrics listener.
 */
import { randomBytes } from 'node:crypto';
import { SYSTEM_ACTOR } from '@tessera/core';
import { listenForMetrics, type MetricsListener, ServerMetrics } from '@tessera/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpEmailSender } from '../../packages/delivery/src/email/smtp-email-sender.js';
import { createWebhookSmsSender } from '../../packages/delivery/src/sms/webhook-sms-sender.js';
import { HttpStub } from '../../packages/delivery/src/test-support/http-stub.js';
import { SmtpSink } from '../../packages/delivery/src/test-support/smtp-sink.js';
import { bearer, createHarness, type Harness, json, signUpAndSignIn, uniquePhone } from '../support/harness.js';
import { sample, scrape } from '../support/prometheus-text.js';

const FAILURES_PER_WINDOW = 3;
const FAILURES_PER_ADDRESS = 5;
let harness: Harness;
let listener: MetricsListener;
let smtp: SmtpSink;
let smsReceiver: HttpStub;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  smsReceiver = await HttpStub.start();
  const metrics = new ServerMetrics({ version: '9.9.9-test' });
  harness = await createHarness({
    metrics,
    email: createSmtpEmailSender({ host: '127.0.0.1', port: smtp.port, secure: false, from: 'tessera@example.test' }),
    sms: createWebhookSmsSender({ url: smsReceiver.url, secret: 'metrics-test-secret' }),
    passwordThrottle: { failuresPerWindow: FAILURES_PER_WINDOW, failuresPerAddressPerHour: FAILURES_PER_ADDRESS },
  });
  listener = await listenForMetrics(metrics, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await listener.close();
  await harness.close();
  await smtp.close().catch(() => {});
  await smsReceiver.close().catch(() => {});
});

/** The difference each counter made between two scrapes. */
function counter(before: string, after: string) {
  return (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
}

async function userWithEmail(): Promise<{ accessToken: string; email: string }> {
  const username = `mail${randomBytes(4).toString('hex')}`;
  const email = `${username}@example.test`;
  await harness.core.accounts.create(SYSTEM_ACTOR, { username, password: 'correct horse battery', email });
  const signedIn = await harness.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-in',
    payload: { username, password: 'correct horse battery' },
  });
  expect(signedIn.statusCode, signedIn.body).toBe(200);
  return { accessToken: json<{ accessToken: string }>(signedIn).accessToken, email };
}

function startEnable(accessToken: string, payload: Record<string, unknown>) {
  return harness.app.inject({ method: 'POST', url: '/api/v1/me/2fa/enable', headers: bearer(accessToken), payload });
}

describe('tessera_codes_sent_total', () => {
  it('counts each code by channel and provider: sent while the providers take them, failed once they are stopped', async () => {
    const before = await scrape(listener.url);
    for (let i = 0; i < 2; i++) {
      const { accessToken } = await signUpAndSignIn(harness.app);
      const response = await startEnable(accessToken, { method: 'sms', phone: uniquePhone() });
      expect(response.statusCode, response.body).toBe(201);
    }
    const mailUser = await userWithEmail();
    expect((await startEnable(mailUser.accessToken, { method: 'email' })).statusCode).toBe(201);
    await harness.core.notifications.settle();
    expect(smsReceiver.requests).toHaveLength(2);
    expect(smtp.received.filter((mail) => mail.rcptTo.includes(mailUser.email))).toHaveLength(1);

    // The providers' servers go away: the next sends fail, and the caller is told.
    await smsReceiver.close();
    await smtp.close();
    const { accessToken } = await signUpAndSignIn(harness.app);
    const sms = await startEnable(accessToken, { method: 'sms', phone: uniquePhone() });
    expect([sms.statusCode, json<{ error: { code: string } }>(sms).error.code]).toEqual([502, 'DELIVERY_FAILED']);
    const mail = await startEnable((await userWithEmail()).accessToken, { method: 'email' });
    expect([mail.statusCode, json<{ error: { code: string } }>(mail).error.code]).toEqual([502, 'DELIVERY_FAILED']);
    await harness.core.notifications.settle();

    const count = counter(before, await scrape(listener.url));
    const sent = 'tessera_codes_sent_total';
    expect(count(sent, { channel: 'sms', provider: 'webhook', outcome: 'sent' })).toBe(2);
    expect(count(sent, { channel: 'email', provider: 'smtp', outcome: 'sent' })).toBe(1);
    expect(count(sent, { channel: 'sms', provider: 'webhook', outcome: 'failed' })).toBe(1);
    expect(count(sent, { channel: 'email', provider: 'smtp', outcome: 'failed' })).toBe(1);
  });
});

describe('tessera_password_checks_total and tessera_password_throttled_total', () => {
  it('counts right and wrong passwords, and the tries each budget refused unchecked', async () => {
    const before = await scrape(listener.url);
    const signIn = (username: string, password: string) =>
      harness.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password } });
    const alice = await signUpAndSignIn(harness.app);
    const bob = await signUpAndSignIn(harness.app);
    const codes = async (username: string, password: string) =>
      json<{ error: { code: string } }>(await signIn(username, password)).error.code;

    // Alice's account budget: the third failure blocks it; her next try is refused unchecked.
    for (let i = 0; i < FAILURES_PER_WINDOW; i++)
      expect(await codes(alice.username, 'a wrong password')).toBe('INVALID_CREDENTIALS');
    expect(await codes(alice.username, alice.password)).toBe('PASSWORD_THROTTLED');
    // The address's budget (five failures, whatever the account) runs out on Bob's second failure.
    for (let i = 0; i < FAILURES_PER_ADDRESS - FAILURES_PER_WINDOW; i++) {
      expect(await codes(bob.username, 'a wrong password')).toBe('INVALID_CREDENTIALS');
    }
    expect(await codes(bob.username, bob.password)).toBe('PASSWORD_THROTTLED');

    const count = counter(before, await scrape(listener.url));
    expect(count('tessera_password_checks_total', { outcome: 'ok' })).toBe(2);
    expect(count('tessera_password_checks_total', { outcome: 'wrong' })).toBe(FAILURES_PER_ADDRESS);
    expect(count('tessera_password_checks_total', { outcome: 'throttled' })).toBe(2);
    expect(count('tessera_password_throttled_total', { budget: 'account' })).toBe(1);
    expect(count('tessera_password_throttled_total', { budget: 'address' })).toBe(1);
  });
});
