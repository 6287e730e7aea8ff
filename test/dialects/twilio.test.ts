import type { AddressInfo } from 'node:net';
import { SYSTEM_ACTOR } from '@tessera/core';
import { createSmtpEmailSender, createWebhookSmsSender } from '@tessera/delivery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSink } from '../../packages/delivery/src/test-support/smtp-sink.js';
import { SmsWebhookReceiver } from '../browser/fixtures/sms-webhook-receiver.js';
import { oathtoolCode } from '../support/external-tools.js';
import { createHarness, createSignedInUser, type Harness, uniquePhone } from '../support/harness.js';
import { wrongCode } from '../support/totp-user.js';
import { specPathOf, type TesseraRequestClient, twilioClientFor } from '../support/twilio-client.js';
import { VENDOR_SPECS_DIR, VendorSpec, vendorSpecSuiteName } from '../support/vendor-specs.js';

type TwilioClient = ReturnType<typeof twilioClientFor>['client'];

/** What twilio-node throws for an error answer: Twilio's code and the status. */
async function refusal(promise: Promise<unknown>): Promise<{ code: number; status: number; moreInfo: string }> {
  try {
    await promise;
  } catch (error) {
    const { code, status, moreInfo } = error as { code: number; status: number; moreInfo: string };
    return { code, status, moreInfo };
  }
  throw new Error('the call succeeded');
}

const sid = (prefix: string, uuid: string) => `${prefix}${uuid.replaceAll('-', '')}`;

/**
 * The Twilio Verify v2 dialect through the real `twilio` npm package, pointed at Tessera by its
 * documented `httpClient` option: SMS codes through the webhook provider to a real HTTP
 * receiver, e-mail through real SMTP, TOTP codes from oathtool; every answer the SDK receives is
 * validated against Twilio's own OpenAPI description of Verify v2.
 */
// Without TESSERA_VENDOR_SPECS_DIR the calls still run; only the spec checks are left out, as the name says.
describe(vendorSpecSuiteName('Twilio Verify v2 through twilio-node'), () => {
  let h: Harness;
  let sms: SmsWebhookReceiver;
  let smtp: SmtpSink;
  let base: string;
  let client: TwilioClient;
  let http: TesseraRequestClient;
  let accountSid: string;
  let authToken: string;
  let adminAccess: string;
  const spec = VENDOR_SPECS_DIR ? new VendorSpec('twilio-verify-v2.openapi.json') : undefined;

  beforeAll(async () => {
    sms = await SmsWebhookReceiver.start();
    smtp = await SmtpSink.start();
    h = await createHarness({
      sms: createWebhookSmsSender({ url: sms.url, secret: 'a-webhook-secret-of-some-length' }),
      email: createSmtpEmailSender({
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        from: 'Tessera <no-reply@example.com>',
      }),
    });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    const admin = await createSignedInUser(h, { role: 'admin' });
    accountSid = sid('AC', admin.id);
    adminAccess = admin.accessToken;
    authToken = (await h.core.apiTokens.issue(admin.id, 'twilio', 'write')).token;
    ({ client, httpClient: http } = twilioClientFor(base, accountSid, authToken));
  });
  afterAll(async () => {
    await h?.close();
    await sms?.close();
    await smtp?.close();
  });

  /** The last answer validates against the vendor's schema for its operation and status. */
  function expectConforms(): void {
    const answer = http.last();
    if (!spec) return;
    expect(spec.responseErrors(specPathOf(answer.path), answer.method, answer.status, answer.body)).toEqual([]);
  }

  async function service(name = 'My App') {
    const created = await client.verify.v2.services.create({ friendlyName: name });
    expectConforms();
    return created;
  }

  function lastEmailCode(to: string): string {
    const mail = smtp.received.filter((m) => m.rcptTo.includes(to)).at(-1);
    const code = mail?.raw.match(/\b(\d{6})\b is your/)?.[1];
    if (!code) throw new Error(`no code mailed to ${to}`);
    return code;
  }

  it('creates, fetches, lists, updates and deletes services in Twilio’s shapes', async () => {
    const created = await service('Shop');
    expect(created.sid).toMatch(/^VA[0-9a-f]{32}$/);
    expect(created.accountSid).toBe(accountSid);
    expect(created.codeLength).toBe(6);
    const fetched = await client.verify.v2.services(created.sid).fetch();
    expectConforms();
    expect(fetched.friendlyName).toBe('Shop');
    const updated = await client.verify.v2.services(created.sid).update({ codeLength: 8 });
    expectConforms();
    expect(updated.codeLength).toBe(8);
    const listed = await client.verify.v2.services.list({ pageSize: 50 });
    expectConforms();
    expect(listed.map((s) => s.sid)).toContain(created.sid);
    expect(await client.verify.v2.services(created.sid).remove()).toBe(true);
    expect(await refusal(client.verify.v2.services(created.sid).fetch())).toMatchObject({ code: 20404, status: 404 });
  });

  it('refuses what Tessera cannot honour with Twilio’s invalid-parameter error, not silently', async () => {
    expect(await refusal(client.verify.v2.services.create({ friendlyName: 'X', lookupEnabled: true }))).toMatchObject({
      code: 60200,
      status: 400,
      moreInfo: 'https://www.twilio.com/docs/errors/60200',
    });
    expect(await refusal(client.verify.v2.services.create({ friendlyName: 'X', 'totp.skew': 2 }))).toMatchObject({
      code: 60200,
    });
    const s = await service();
    const call = await refusal(
      client.verify.v2.services(s.sid).verifications.create({ to: uniquePhone(), channel: 'call' }),
    );
    expect(call).toMatchObject({ code: 60223, status: 400 });
  });

  it('SMS: sent through the webhook provider, approved once, refused again; the history records it', async () => {
    const s = await service();
    const to = uniquePhone();
    const started = await client.verify.v2.services(s.sid).verifications.create({ to, channel: 'sms' });
    expectConforms();
    expect(started).toMatchObject({ status: 'pending', valid: false, to, channel: 'sms' });
    expect(started.sid).toMatch(/^VE[0-9a-f]{32}$/);
    expect(started.sendCodeAttempts).toHaveLength(1);
    const code = sms.lastCodeTo(to);
    // A moment later, so that the history lists the start and the approval in that order.
    h.clock.advanceSeconds(1);
    const checked = await client.verify.v2.services(s.sid).verificationChecks.create({ to, code });
    expectConforms();
    expect(checked).toMatchObject({ status: 'approved', valid: true, sid: started.sid });
    // Approved is final: the same code, or any, finds nothing pending.
    expect(await refusal(client.verify.v2.services(s.sid).verificationChecks.create({ to, code }))).toMatchObject({
      code: 20404,
      status: 404,
    });
    const fetched = await client.verify.v2.services(s.sid).verifications(started.sid).fetch();
    expectConforms();
    expect(fetched.status).toBe('approved');

    // The client account's history has the verification's start and its approval, the number masked.
    const history = await h.app.inject({
      url: '/api/v1/me/2fa/history?order=asc',
      headers: { authorization: `Bearer ${adminAccess}` },
    });
    const entries = history
      .json<{
        items: { method: string; action: string; details: { verification?: string; status?: string; to?: string } }[];
      }>()
      .items.filter(
        (e) => e.details.verification === started.sid.slice(2).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
      );
    expect(entries.map((e) => `${e.method}:${e.action}:${e.details.status}`)).toEqual([
      'destination_verification:create:pending',
      'destination_verification:update:approved',
    ]);
    expect(entries[0]?.details.to).not.toContain(to.slice(4, -3));
  });

  it('a wrong code leaves it pending; the fifth wrong one is 60202 and the right one no longer counts', async () => {
    const s = await service();
    const to = uniquePhone();
    await client.verify.v2.services(s.sid).verifications.create({ to, channel: 'sms' });
    const code = sms.lastCodeTo(to);
    for (let i = 0; i < 4; i++) {
      const wrong = await client.verify.v2.services(s.sid).verificationChecks.create({ to, code: wrongCode(code) });
      expectConforms();
      expect(wrong).toMatchObject({ status: 'pending', valid: false });
    }
    const fifth = await refusal(
      client.verify.v2.services(s.sid).verificationChecks.create({ to, code: wrongCode(code) }),
    );
    expect(fifth).toMatchObject({ code: 60202, status: 429 });
    expect(await refusal(client.verify.v2.services(s.sid).verificationChecks.create({ to, code }))).toMatchObject({
      code: 20404,
    });
  });

  it('cancel: the code stops working; a resend is the same verification with a new code', async () => {
    const s = await service();
    const to = uniquePhone();
    const first = await client.verify.v2.services(s.sid).verifications.create({ to, channel: 'sms' });
    const firstCode = sms.lastCodeTo(to);
    // The destination's cooldown (Twilio's 60212), then a resend.
    expect(await refusal(client.verify.v2.services(s.sid).verifications.create({ to, channel: 'sms' }))).toMatchObject({
      code: 60212,
      status: 429,
    });
    h.clock.advanceSeconds(61);
    const again = await client.verify.v2.services(s.sid).verifications.create({ to, channel: 'sms' });
    expectConforms();
    expect(again.sid).toBe(first.sid);
    expect(again.sendCodeAttempts).toHaveLength(2);
    const secondCode = sms.lastCodeTo(to);
    if (secondCode !== firstCode) {
      const stale = await client.verify.v2.services(s.sid).verificationChecks.create({ to, code: firstCode });
      expect(stale.status).toBe('pending');
    }
    const canceled = await client.verify.v2.services(s.sid).verifications(first.sid).update({ status: 'canceled' });
    expectConforms();
    expect(canceled.status).toBe('canceled');
    expect(
      await refusal(
        client.verify.v2.services(s.sid).verificationChecks.create({ verificationSid: first.sid, code: secondCode }),
      ),
    ).toMatchObject({ code: 20404 });
  });

  it('e-mail: the code goes through real SMTP and checks by VerificationSid', async () => {
    const s = await service();
    const to = `verify-${Date.now()}@example.com`;
    const started = await client.verify.v2.services(s.sid).verifications.create({ to, channel: 'email' });
    expectConforms();
    expect(started).toMatchObject({ channel: 'email', status: 'pending' });
    const checked = await client.verify.v2.services(s.sid).verificationChecks.create({
      verificationSid: started.sid,
      code: lastEmailCode(to),
    });
    expectConforms();
    expect(checked).toMatchObject({ status: 'approved', valid: true });
  });

  it('TOTP: factor created, verified with oathtool’s code, challenged once per code, deleted', async () => {
    const s = await service('Bank');
    const identity = `user-${Date.now()}`;
    const entity = client.verify.v2.services(s.sid).entities(identity);
    // Reading an entity that does not exist makes nothing: its account is made by its first factor.
    expect(await entity.factors.list()).toEqual([]);
    expectConforms();
    expect(await refusal(entity.factors(`YF${'0'.repeat(32)}`).fetch())).toMatchObject({ code: 20404 });
    const factor = await entity.newFactors.create({ friendlyName: 'Phone', factorType: 'totp' });
    expectConforms();
    expect(factor).toMatchObject({ status: 'unverified', factorType: 'totp', identity });
    const binding = factor.binding as { secret: string; uri: string };
    expect(binding.uri).toContain(`secret=${binding.secret}`);

    const wrong = await entity
      .factors(factor.sid)
      .update({ authPayload: wrongCode(oathtoolCode(binding.secret, h.clock.now())) });
    expect(wrong.status).toBe('unverified');
    const verified = await entity
      .factors(factor.sid)
      .update({ authPayload: oathtoolCode(binding.secret, h.clock.now()) });
    expectConforms();
    expect(verified.status).toBe('verified');
    // One authenticator per entity: a second, while the first is verified, is refused.
    expect(await refusal(entity.newFactors.create({ friendlyName: 'Tablet', factorType: 'totp' }))).toMatchObject({
      code: 20409,
      status: 409,
    });

    h.clock.advanceSeconds(30);
    const code = oathtoolCode(binding.secret, h.clock.now());
    const challenge = await entity.challenges.create({ factorSid: factor.sid, authPayload: code });
    expectConforms();
    expect(challenge).toMatchObject({ status: 'approved', factorSid: factor.sid });
    // The same code again: replayed, so not approved; answered later with the next code, it is.
    const replayed = await entity.challenges.create({ factorSid: factor.sid, authPayload: code });
    expect(replayed.status).toBe('pending');
    h.clock.advanceSeconds(30);
    const answered = await entity
      .challenges(replayed.sid)
      .update({ authPayload: oathtoolCode(binding.secret, h.clock.now()) });
    expectConforms();
    expect(answered).toMatchObject({ status: 'approved', sid: replayed.sid });
    expect((await entity.challenges(challenge.sid).fetch()).status).toBe('approved');
    expectConforms();
    const challenges = await entity.challenges.list();
    expectConforms();
    expect(challenges.map((c) => c.sid).sort()).toEqual([challenge.sid, replayed.sid].sort());
    expect(await refusal(entity.challenges(replayed.sid).update({ authPayload: code }))).toMatchObject({ code: 20404 });

    const fetched = await entity.factors(factor.sid).fetch();
    expectConforms();
    expect(fetched.status).toBe('verified');
    const listed = await entity.factors.list();
    expectConforms();
    expect(listed.map((f) => f.sid)).toEqual([factor.sid]);
    expect(await entity.factors(factor.sid).remove()).toBe(true);
    expect(await refusal(entity.factors(factor.sid).fetch())).toMatchObject({ code: 20404 });
    // The entity's account has its enrollment and the admin's removal in its history.
    const account = await h.core.userAdmin.lookup(SYSTEM_ACTOR, { externalId: identity });
    const history = await h.core.history.listAll(SYSTEM_ACTOR, { userId: account.id, order: 'asc' });
    // In the order written: entries of one clock instant are listed in an order of their own.
    const written = [...history.items].sort((a, b) => a.number - b.number);
    expect(written.map((e) => `${e.method}:${e.action}:${e.actor}`)).toEqual([
      'account:create:admin',
      'totp:enable:admin',
      'totp:disable:admin',
    ]);
  });

  it('authentication: a wrong secret is 20003, an API key SID works, a non-admin token is 20403', async () => {
    const wrong = twilioClientFor(base, accountSid, `${authToken}x`).client;
    expect(await refusal(wrong.verify.v2.services.list())).toMatchObject({ code: 20003, status: 401 });

    const tokenId = (
      await h.core.apiTokens.list({
        kind: 'user',
        userId: accountSid.slice(2).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
        role: 'admin',
        authentication: { method: 'password' },
        clientIp: null,
      })
    )[0]?.id;
    expect(tokenId).toBeDefined();
    const byKey = twilioClientFor(base, sid('SK', tokenId ?? ''), authToken, accountSid).client;
    expect(Array.isArray(await byKey.verify.v2.services.list())).toBe(true);

    const user = await createSignedInUser(h);
    const userToken = (await h.core.apiTokens.issue(user.id, 'twilio', 'write')).token;
    const notAdmin = twilioClientFor(base, sid('AC', user.id), userToken).client;
    expect(await refusal(notAdmin.verify.v2.services.list())).toMatchObject({ code: 20403, status: 403 });
  });
});
