/*
 * An admin's change to an account reaches its owner as real mail: the notices go through the
 * SMTP client to an SMTP server on loopback, to the right address, without a code or the full
 * new value; an account without an address gets none.
 */
import { SYSTEM_ACTOR } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpEmailSender } from '../../packages/delivery/src/email/smtp-email-sender.js';
import { parseMail, SmtpSink } from '../../packages/delivery/src/test-support/smtp-sink.js';
import { bearer, createHarness, type Harness, json, uniquePhone } from '../support/harness.js';

let h: Harness;
let smtp: SmtpSink;
let adminToken: string;
beforeAll(async () => {
  smtp = await SmtpSink.start();
  h = await createHarness({
    email: createSmtpEmailSender({ host: '127.0.0.1', port: smtp.port, secure: false, from: 'tessera@example.test' }),
  });
  const admin = await h.core.accounts.create(SYSTEM_ACTOR, {
    username: 'notices-admin',
    password: 'admin password',
    role: 'admin',
  });
  adminToken = (await h.core.apiTokens.issue(admin.id, 'platform', 'write')).token;
});
afterAll(async () => {
  await h.close();
  await smtp.close();
});

function call(method: 'POST' | 'PATCH', url: string, payload?: object) {
  return h.app.inject({ method, url: `/api/v1${url}`, headers: bearer(adminToken), ...(payload ? { payload } : {}) });
}

async function createUser(body: Record<string, unknown>): Promise<string> {
  const response = await call('POST', '/admin/users', body);
  expect(response.statusCode, response.body).toBe(201);
  return json<{ id: string }>(response).id;
}

/** The mail the SMTP server received for this address: subject and body. */
async function mailTo(address: string): Promise<{ subject: string; body: string }[]> {
  await h.core.notifications.settle();
  return smtp.received
    .filter((mail) => mail.rcptTo.includes(address))
    .map((mail) => {
      const { headers, body } = parseMail(mail.raw);
      return { subject: headers.get('subject') ?? '', body: body.replace(/=\r\n/g, '') };
    });
}

describe("an admin's changes, delivered by SMTP", () => {
  it('an e-mail change reaches the old address with the new one masked, and the new address', async () => {
    const id = await createUser({ username: 'smtp-email', email: 'smtp-old@example.test' });
    expect((await call('PATCH', `/admin/users/${id}`, { email: 'smtp-new@example.test' })).statusCode).toBe(200);
    const [old, ...more] = await mailTo('smtp-old@example.test');
    expect(more).toEqual([]);
    expect(old?.subject).toBe('Tessera Test: e-mail address changed by an administrator');
    expect(old?.body).toContain('s***@example.test');
    expect(old?.body).not.toContain('smtp-new@example.test');
    expect((await mailTo('smtp-new@example.test')).map((mail) => mail.subject)).toEqual([
      'Tessera Test: e-mail address set by an administrator',
    ]);
  });

  it('a phone change reaches the account address with the number masked', async () => {
    const id = await createUser({ username: 'smtp-phone', email: 'smtp-phone@example.test' });
    const phone = uniquePhone();
    expect((await call('PATCH', `/admin/users/${id}`, { phone })).statusCode).toBe(200);
    const [notice, ...more] = await mailTo('smtp-phone@example.test');
    expect(more).toEqual([]);
    expect(notice?.subject).toBe('Tessera Test: phone number changed by an administrator');
    expect(notice?.body).toContain(`${phone.slice(0, 4)}${'*'.repeat(phone.length - 7)}${phone.slice(-3)}`);
    expect(notice?.body).not.toContain(phone);
  });

  it('disabling and enabling reach the account address', async () => {
    const id = await createUser({ username: 'smtp-disable', email: 'smtp-disable@example.test' });
    expect((await call('POST', `/admin/users/${id}/disable`)).statusCode).toBe(200);
    expect((await mailTo('smtp-disable@example.test')).map((mail) => mail.subject)).toEqual([
      'Tessera Test: account disabled',
    ]);
    expect((await call('POST', `/admin/users/${id}/enable`)).statusCode).toBe(200);
    expect((await mailTo('smtp-disable@example.test')).map((mail) => mail.subject)).toEqual([
      'Tessera Test: account disabled',
      'Tessera Test: account enabled',
    ]);
  });

  it('an account without an address gets no mail', async () => {
    const id = await createUser({ username: 'smtp-none', phone: uniquePhone() });
    const before = smtp.received.length;
    expect((await call('PATCH', `/admin/users/${id}`, { phone: uniquePhone() })).statusCode).toBe(200);
    expect((await call('POST', `/admin/users/${id}/disable`)).statusCode).toBe(200);
    expect((await call('POST', `/admin/users/${id}/enable`)).statusCode).toBe(200);
    await h.core.notifications.settle();
    expect(smtp.received.length).toBe(before);
  });
});
