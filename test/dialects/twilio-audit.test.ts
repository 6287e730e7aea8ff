/**
 * Destination verifications (Twilio Verify's Verifications, through the real `twilio` package)
 * in the audit trail: one entry per start or resend and one per outcome (approved, max attempts
 * reached, canceled), in the client account's name, with the destination masked and never the
 * code; the chain still verifies. SMS codes go through the webhook provider to a real receiver.
 */
import type { AddressInfo } from 'node:net';
import { type AuditEntryView, SYSTEM_ACTOR } from '@tessera/core';
import { createWebhookSmsSender } from '@tessera/delivery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmsWebhookReceiver } from '../browser/fixtures/sms-webhook-receiver.js';
import { createHarness, createSignedInUser, type Harness, uniquePhone } from '../support/harness.js';
import { wrongCode } from '../support/totp-user.js';
import { twilioClientFor } from '../support/twilio-client.js';

type TwilioClient = ReturnType<typeof twilioClientFor>['client'];

let h: Harness;
let sms: SmsWebhookReceiver;
let client: TwilioClient;
let ownerId: string;

const sid = (prefix: string, uuid: string) => `${prefix}${uuid.replaceAll('-', '')}`;
/** A `VE…` SID back to the verification's id, as the core and the audit trail name it. */
const idOf = (veSid: string) => veSid.slice(2).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');

beforeAll(async () => {
  sms = await SmsWebhookReceiver.start();
  h = await createHarness({ sms: createWebhookSmsSender({ url: sms.url, secret: 'a-webhook-secret-of-some-length' }) });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  const admin = await createSignedInUser(h, { role: 'admin' });
  ownerId = admin.id;
  const token = (await h.core.apiTokens.issue(admin.id, 'twilio', 'write')).token;
  ({ client } = twilioClientFor(base, sid('AC', admin.id), token));
});

afterAll(async () => {
  await h?.close();
  await sms?.close();
});

/** The audit entries of one verification, oldest first. */
async function auditOf(veSid: string): Promise<AuditEntryView[]> {
  const entries: AuditEntryView[] = [];
  for (const action of ['destination_verification.started', 'destination_verification.finished'] as const) {
    const page = await h.core.audit.list(SYSTEM_ACTOR, { action, targetUserId: ownerId, limit: 200 });
    entries.push(...page.items.filter((entry) => entry.details.verification === idOf(veSid)));
  }
  return entries.sort((a, b) => a.seq - b.seq);
}

function summary(entries: AuditEntryView[]): string[] {
  return entries.map((entry) => `${entry.action}:${String(entry.details.status ?? `resent=${entry.details.resent}`)}`);
}

/** No entry holds the whole phone number, nor any code sent to it. */
function expectNothingSecret(entries: AuditEntryView[], to: string, codes: string[]): void {
  // The details are what an event says; the rest is ids, hashes and times.
  const text = JSON.stringify(entries.map((entry) => entry.details));
  expect(text).not.toContain(to);
  expect(text).not.toContain(to.slice(1));
  for (const code of codes) expect(text).not.toContain(code);
  for (const entry of entries) {
    expect(entry.details.to).toBe(`${to.slice(0, 4)}${'*'.repeat(to.length - 7)}${to.slice(-3)}`);
  }
}

describe('destination verifications in the audit trail', () => {
  it('records the start and the approval, in the client account’s name, the number masked', async () => {
    const service = await client.verify.v2.services.create({ friendlyName: 'Audit' });
    const to = uniquePhone();
    const started = await client.verify.v2.services(service.sid).verifications.create({ to, channel: 'sms' });
    const code = sms.lastCodeTo(to);
    expect(summary(await auditOf(started.sid))).toEqual(['destination_verification.started:resent=false']);
    const checked = await client.verify.v2.services(service.sid).verificationChecks.create({ to, code });
    expect(checked.status).toBe('approved');

    const entries = await auditOf(started.sid);
    expect(summary(entries)).toEqual([
      'destination_verification.started:resent=false',
      'destination_verification.finished:approved',
    ]);
    for (const entry of entries) {
      expect(entry).toMatchObject({ actorKind: 'user', actorId: ownerId, targetUserId: ownerId });
      expect(entry.details).toMatchObject({ service: idOf(service.sid), channel: 'sms' });
    }
    expectNothingSecret(entries, to, [code]);
    expect((await h.core.audit.verify(SYSTEM_ACTOR)).ok).toBe(true);
  });

  it('records a resend as a start, and the attempts used up as max_attempts_reached', async () => {
    const service = await client.verify.v2.services.create({ friendlyName: 'Audit' });
    const to = uniquePhone();
    const started = await client.verify.v2.services(service.sid).verifications.create({ to, channel: 'sms' });
    const first = sms.lastCodeTo(to);
    h.clock.advanceSeconds(61);
    await client.verify.v2.services(service.sid).verifications.create({ to, channel: 'sms' });
    const code = sms.lastCodeTo(to);
    const wrong = wrongCode(code);
    let refusal: unknown;
    for (let i = 0; i < 5 && refusal === undefined; i++) {
      await client.verify.v2
        .services(service.sid)
        .verificationChecks.create({ to, code: wrong })
        .catch((error) => {
          refusal = error;
        });
    }
    expect(refusal).toMatchObject({ code: 60202 });

    const entries = await auditOf(started.sid);
    expect(summary(entries)).toEqual([
      'destination_verification.started:resent=false',
      'destination_verification.started:resent=true',
      'destination_verification.finished:max_attempts_reached',
    ]);
    expectNothingSecret(entries, to, [first, code, wrong]);
  });

  it('records a cancellation, once', async () => {
    const service = await client.verify.v2.services.create({ friendlyName: 'Audit' });
    const to = uniquePhone();
    const started = await client.verify.v2.services(service.sid).verifications.create({ to, channel: 'sms' });
    const code = sms.lastCodeTo(to);
    const canceled = await client.verify.v2
      .services(service.sid)
      .verifications(started.sid)
      .update({ status: 'canceled' });
    expect(canceled.status).toBe('canceled');
    // Canceled again: nothing pending, nothing more recorded.
    await expect(
      client.verify.v2.services(service.sid).verifications(started.sid).update({ status: 'canceled' }),
    ).rejects.toMatchObject({ code: 20404 });

    const entries = await auditOf(started.sid);
    expect(summary(entries)).toEqual([
      'destination_verification.started:resent=false',
      'destination_verification.finished:canceled',
    ]);
    expectNothingSecret(entries, to, [code]);
  });
});
