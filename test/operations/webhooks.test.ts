/**
 * Signed webhooks against a real HTTP receiver (node:http), on the database the suite runs on
 * (SQLite, or PostgreSQL with TESSERA_TEST_DATABASE_URL): the Standard Webhooks signature
 * verifies with the spec's own library, failed attempts (500s, timeouts) are retried on the
 * documented schedule, an account's events arrive in order, a 410 disables the endpoint, and
 * admins see every attempt and can send a delivery again. The dispatcher is driven by the test
 * (`runOnce`) on the harness's clock: no real waiting but the one timeout under test.
 */
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_WEBHOOK_DISPATCHER_SETTINGS,
  fetchWebhookTransport,
  SecretBox,
  SYSTEM_ACTOR,
  silentLogger,
  WEBHOOK_RETRY_DELAYS_SECONDS,
  WebhookDispatcher,
} from '@tessera/core';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createHarness,
  createSignedInUser,
  enrollTotp,
  type Harness,
  json,
  type SignedInUser,
} from '../support/harness.js';
import { expectSignedBy, WebhookReceiver } from '../support/webhook-receiver.js';

/** The timeout of one attempt: short, since one test waits for it for real. */
const TIMEOUT_MS = 400;

let h: Harness;
let receiver: WebhookReceiver;
/** An admin API token: unlike an access token it outlives the hours the tests move the clock by. */
let admin: { accessToken: string; userId: string };

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  // random() = 0.5 puts the jitter at zero: each retry is due exactly after its documented delay.
  h = await createHarness({ webhooks: { dispatcher: { timeoutMs: TIMEOUT_MS }, random: () => 0.5 } });
  const account = await createSignedInUser(h, { role: 'admin' });
  admin = {
    accessToken: (await h.core.apiTokens.issue(account.id, 'webhook admin', 'write')).token,
    userId: account.id,
  };
});

afterAll(async () => {
  await h.close();
  await receiver.close();
});

afterEach(async () => {
  // Every endpoint takes every event: each test removes its own so the next starts with none.
  for (const endpoint of await h.core.webhooks.list(SYSTEM_ACTOR)) await remove(endpoint.id);
});

interface Endpoint {
  id: string;
  url: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
}

interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  attempts: { statusCode: number | null; error: string | null; durationMs: number }[];
}

function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: object) {
  return h.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
}

async function createEndpoint(events: string[] = []): Promise<{ endpoint: Endpoint; secret: string; path: string }> {
  const path = `/hooks/${randomBytes(4).toString('hex')}`;
  const response = await call('POST', '/admin/webhooks', admin.accessToken, { url: receiver.url(path), events });
  expect(response.statusCode, response.body).toBe(201);
  return { ...json<{ endpoint: Endpoint; secret: string }>(response), path };
}

async function remove(id: string): Promise<void> {
  expect((await call('DELETE', `/admin/webhooks/${id}`, admin.accessToken)).statusCode).toBe(204);
}

async function deliveries(id: string): Promise<Delivery[]> {
  const response = await call('GET', `/admin/webhooks/${id}/deliveries`, admin.accessToken);
  expect(response.statusCode, response.body).toBe(200);
  return json<{ items: Delivery[] }>(response).items;
}

async function userWithTotp(): Promise<SignedInUser> {
  const user = await createSignedInUser(h);
  await enrollTotp(h.app, user.accessToken, h.clock.now());
  return user;
}

const runOnce = () => h.core.webhookDispatcher.runOnce();

describe('signed webhooks', () => {
  it('sends a 2FA change signed per Standard Webhooks: the spec library verifies it', async () => {
    const { endpoint, secret, path } = await createEndpoint();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toMatchObject({ url: receiver.url(path), events: [], enabled: true });
    const user = await userWithTotp();
    // Written with the change, sent only by the dispatcher: the request did not wait for it.
    expect(receiver.at(path)).toHaveLength(0);
    expect(await runOnce()).toBe(1);
    const [request] = receiver.at(path);
    if (!request) throw new Error('nothing received');
    expect(request.headers['content-type']).toBe('application/json');
    // What a receiver does: verify the raw body and headers with the secret it was given.
    const verified = new Webhook(secret).verify(request.body, {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
    expect(verified).toEqual({
      type: 'factor.added',
      timestamp: expect.any(String),
      data: { userId: user.id, method: 'totp', actor: 'self', stillEnabled: true },
    });
    // A tampered body does not verify.
    expect(() =>
      new Webhook(secret).verify(request.body.replace('totp', 'sms_'), {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      }),
    ).toThrow();
    const [delivery] = await deliveries(endpoint.id);
    expect(delivery).toMatchObject({
      eventId: request.headers['webhook-id'],
      eventType: 'factor.added',
      status: 'delivered',
      attemptCount: 1,
      nextAttemptAt: null,
      lastStatusCode: 204,
      attempts: [{ statusCode: 204, error: null }],
    });
    expect(await runOnce()).toBe(0);
  });

  it('signs with the old and the new secret while a rotation overlaps', async () => {
    const { endpoint, secret, path } = await createEndpoint();
    const rotated = await call('POST', `/admin/webhooks/${endpoint.id}/rotate-secret`, admin.accessToken);
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { secret: next, previousSecretsExpireAt } = json<{ secret: string; previousSecretsExpireAt: string }>(
      rotated,
    );
    expect(next).not.toBe(secret);
    await userWithTotp();
    await runOnce();
    const [during] = receiver.at(path);
    if (!during) throw new Error('nothing received');
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expectSignedBy(secret, during);
    expectSignedBy(next, during);
    // Past the overlap only the new secret signs.
    h.clock.set(new Date(Date.parse(previousSecretsExpireAt) + 1000));
    await userWithTotp();
    await runOnce();
    const after = receiver.at(path)[1];
    if (!after) throw new Error('nothing received');
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expectSignedBy(next, after);
    expect(() => expectSignedBy(secret, after)).toThrow();
  });

  it('retries after a 500 and after a timeout on the documented schedule, and records every attempt', async () => {
    const { endpoint, path } = await createEndpoint();
    receiver.script(path, [500, 'hang', 200]);
    await userWithTotp();
    expect(await runOnce()).toBe(1);
    // Not due again before its first delay.
    h.clock.advanceSeconds((WEBHOOK_RETRY_DELAYS_SECONDS[0] ?? 0) - 1);
    expect(await runOnce()).toBe(0);
    h.clock.advanceSeconds(1);
    expect(await runOnce()).toBe(1);
    h.clock.advanceSeconds(WEBHOOK_RETRY_DELAYS_SECONDS[1] ?? 0);
    expect(await runOnce()).toBe(1);
    const requests = receiver.at(path);
    expect(requests).toHaveLength(3);
    // Every attempt carries the same message id: the receiver can drop a repeat.
    expect(new Set(requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const [delivery] = await deliveries(endpoint.id);
    expect(delivery?.status).toBe('delivered');
    expect(delivery?.attempts.map((a) => a.statusCode)).toEqual([200, null, 500]);
    expect(delivery?.attempts[1]?.error).toBe(`no answer within ${TIMEOUT_MS} ms`);
    expect(delivery?.attempts[1]?.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
  });

  it('gives a delivery up after the last retry, about a day on', async () => {
    const { endpoint, path } = await createEndpoint();
    receiver.script(path, Array(WEBHOOK_RETRY_DELAYS_SECONDS.length + 1).fill(500));
    await userWithTotp();
    await runOnce();
    for (const delay of WEBHOOK_RETRY_DELAYS_SECONDS) {
      h.clock.advanceSeconds(delay);
      expect(await runOnce()).toBe(1);
    }
    const total = WEBHOOK_RETRY_DELAYS_SECONDS.reduce((sum, delay) => sum + delay, 0);
    expect(total / 3600).toBeGreaterThan(24);
    expect(total / 3600).toBeLessThan(30);
    const [delivery] = await deliveries(endpoint.id);
    expect(delivery).toMatchObject({ status: 'failed', attemptCount: 8, nextAttemptAt: null, lastStatusCode: 500 });
    h.clock.advanceSeconds(86_400);
    expect(await runOnce()).toBe(0);
    // An admin sends it again by hand: due at once, a fresh round.
    const again = await call(
      'POST',
      `/admin/webhooks/${endpoint.id}/deliveries/${delivery?.id}/redeliver`,
      admin.accessToken,
    );
    expect(again.statusCode, again.body).toBe(200);
    expect(json<Delivery>(again)).toMatchObject({ status: 'pending', attemptCount: 0 });
    expect(await runOnce()).toBe(1);
    expect((await deliveries(endpoint.id))[0]).toMatchObject({ status: 'delivered', attemptCount: 1 });
    expect(receiver.at(path)).toHaveLength(WEBHOOK_RETRY_DELAYS_SECONDS.length + 2);
  });

  it('keeps an account’s events in order: a later one waits while an earlier one is retried', async () => {
    const { path } = await createEndpoint();
    receiver.script(path, [500]);
    const user = await userWithTotp();
    // A second event of the same account, then one of another account.
    await h.core.admin.unlockSecondFactor(SYSTEM_ACTOR, user.id);
    const other = await userWithTotp();
    expect(await runOnce()).toBe(2);
    expect(receiver.at(path).map((r) => [r.payload.data.userId, r.payload.type])).toEqual([
      [user.id, 'factor.added'],
      [other.id, 'factor.added'],
    ]);
    // The first failed: the account's second event is due but waits behind it.
    expect(await runOnce()).toBe(0);
    h.clock.advanceSeconds(WEBHOOK_RETRY_DELAYS_SECONDS[0] ?? 0);
    expect(await runOnce()).toBe(1);
    expect(await runOnce()).toBe(1);
    const mine = receiver.at(path).filter((r) => r.payload.data.userId === user.id);
    expect(mine.map((r) => r.payload.type)).toEqual(['factor.added', 'factor.added', 'user.unlocked']);
  });

  it('disables an endpoint that answers 410 Gone, and sends again once it is enabled', async () => {
    const { endpoint, path } = await createEndpoint();
    receiver.script(path, [410]);
    await userWithTotp();
    await runOnce();
    const gone = json<Endpoint>(await call('GET', `/admin/webhooks/${endpoint.id}`, admin.accessToken));
    expect(gone).toMatchObject({ enabled: false, disabledReason: 'the endpoint answered 410 Gone' });
    const [failed] = await deliveries(endpoint.id);
    expect(failed).toMatchObject({ status: 'failed', lastStatusCode: 410 });
    // Disabled: no event is written for it.
    await userWithTotp();
    expect(await runOnce()).toBe(0);
    expect(await deliveries(endpoint.id)).toHaveLength(1);
    const enabled = await call('PATCH', `/admin/webhooks/${endpoint.id}`, admin.accessToken, { enabled: true });
    expect(json<Endpoint>(enabled)).toMatchObject({ enabled: true, disabledReason: null });
    await call('POST', `/admin/webhooks/${endpoint.id}/deliveries/${failed?.id}/redeliver`, admin.accessToken);
    expect(await runOnce()).toBe(1);
    expect(receiver.at(path)).toHaveLength(2);
  });

  it('sends only the event types an endpoint asked for: lockouts, unlocks and admin resets', async () => {
    const { path } = await createEndpoint(['lockout.started', 'user.unlocked', 'admin.reset']);
    const user = await createSignedInUser(h);
    const totp = await enrollTotp(h.app, user.accessToken, h.clock.now());
    h.clock.advanceSeconds(60);
    const wrong = totp.codeAt(h.clock.now()) === '000000' ? '111111' : '000000';
    let status = 0;
    for (let i = 0; i < 20 && status !== 423; i++) {
      const response = await call('POST', '/me/verify', user.accessToken, { code: wrong });
      status = response.statusCode;
    }
    expect((await call('POST', `/admin/users/${user.id}/2fa/unlock`, admin.accessToken)).statusCode).toBeLessThan(300);
    expect((await call('DELETE', `/admin/users/${user.id}/2fa`, admin.accessToken)).statusCode).toBeLessThan(300);
    await runOnce();
    await runOnce();
    await runOnce();
    expect(receiver.at(path).map((r) => r.payload.type)).toEqual(['lockout.started', 'user.unlocked', 'admin.reset']);
    expect(receiver.at(path).map((r) => r.payload.data)).toEqual([
      { userId: user.id, suspended: false, failures: 5, lockedUntil: expect.any(String) },
      { userId: user.id, actor: 'admin' },
      { userId: user.id, actor: 'admin', methods: ['totp'] },
    ]);
  });

  it('reports backup codes running low, a new remembered device and a removed factor', async () => {
    const { path } = await createEndpoint(['backup_codes.low', 'signin.new_device', 'factor.removed']);
    const user = await createSignedInUser(h);
    const started = await call('POST', '/me/2fa/enable', user.accessToken, { method: 'backup_codes' });
    const codes = json<{ backupCodes: { codes: string[] } }>(started).backupCodes.codes;
    const signIn = async (code: string, rememberDevice = false) => {
      const flow = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { username: user.username, password: user.password },
      });
      const { flowId } = json<{ flowId: string }>(flow);
      const answered = await h.app.inject({
        method: 'POST',
        url: `/api/v1/auth/sign-in/${flowId}/second-factor`,
        payload: { code, method: 'backup_codes', rememberDevice, deviceLabel: 'Firefox on Linux' },
      });
      expect(answered.statusCode, answered.body).toBe(200);
      return json<{ accessToken: string }>(answered).accessToken;
    };
    // Ten codes: the seventh use leaves three, the eighth two; both say so.
    for (const code of codes.slice(0, 6)) await signIn(code);
    await runOnce();
    expect(receiver.at(path)).toHaveLength(0);
    await signIn(codes[6] ?? '');
    const token = await signIn(codes[7] ?? '', true);
    const disabling = await call('POST', '/me/2fa/disable', token, { method: 'backup_codes' });
    expect(disabling.statusCode, disabling.body).toBeLessThan(300);
    const { flowId } = json<{ flowId: string }>(disabling);
    const removed = await call('POST', `/me/2fa/disable/${flowId}/confirm`, token, { code: codes[8] });
    expect(removed.statusCode, removed.body).toBeLessThan(300);
    for (let i = 0; i < 5; i++) await runOnce();
    const received = receiver.at(path).map((r) => [r.payload.type, r.payload.data]);
    expect(received).toEqual([
      ['backup_codes.low', { userId: user.id, remaining: 3 }],
      ['backup_codes.low', { userId: user.id, remaining: 2 }],
      ['signin.new_device', { userId: user.id, deviceId: expect.any(String), label: 'Firefox on Linux' }],
      // The code that confirms the removal is a use too.
      ['backup_codes.low', { userId: user.id, remaining: 1 }],
      ['factor.removed', { userId: user.id, method: 'backup_codes', actor: 'self', stillEnabled: false }],
    ]);
  });

  it('two dispatchers over one database send each event once', async () => {
    const { path } = await createEndpoint();
    // Another server process's dispatcher: its own lease owner, the same tables.
    const other = new WebhookDispatcher({
      webhooks: h.storage.webhooks,
      transport: fetchWebhookTransport,
      secretBox: new SecretBox(h.secretKey),
      clock: h.clock,
      logger: silentLogger,
      settings: { ...DEFAULT_WEBHOOK_DISPATCHER_SETTINGS, timeoutMs: TIMEOUT_MS },
    });
    for (let i = 0; i < 6; i++) await h.core.admin.unlockSecondFactor(SYSTEM_ACTOR, admin.userId);
    const users = await Promise.all(Array.from({ length: 6 }, () => createSignedInUser(h)));
    for (const user of users) await h.core.admin.unlockSecondFactor(SYSTEM_ACTOR, user.id);
    for (let round = 0; round < 8; round++) await Promise.all([runOnce(), other.runOnce(), runOnce(), other.runOnce()]);
    const ids = receiver.at(path).map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    // The admin's six events came in the order they were written.
    const own = receiver.at(path).filter((r) => r.payload.data.userId === admin.userId);
    expect(own.map((r) => r.payload.timestamp)).toEqual(own.map((r) => r.payload.timestamp).sort());
  });

  it('refuses bad endpoints and unknown ids in the API shape, and is for admins only', async () => {
    const bad = await call('POST', '/admin/webhooks', admin.accessToken, { url: 'ftp://example.com/x' });
    expect(bad.statusCode).toBe(400);
    expect(json<{ error: { code: string } }>(bad).error.code).toBe('VALIDATION_FAILED');
    const unknownEvent = await call('POST', '/admin/webhooks', admin.accessToken, {
      url: 'https://example.com/x',
      events: ['factor.exploded'],
    });
    expect(unknownEvent.statusCode).toBe(400);
    const notAUrl = await call('POST', '/admin/webhooks', admin.accessToken, { url: 'not a url' });
    expect(json<{ error: { code: string } }>(notAUrl).error.code).toBe('VALIDATION_FAILED');
    const user = await createSignedInUser(h);
    const forbidden = await call('POST', '/admin/webhooks', user.accessToken, { url: 'https://example.com/x' });
    expect(forbidden.statusCode).toBe(403);
    const missing = '00000000-0000-4000-8000-000000000000';
    const notFound = await call('GET', `/admin/webhooks/${missing}`, admin.accessToken);
    expect(notFound.statusCode).toBe(404);
    expect(json<{ error: { code: string } }>(notFound).error.code).toBe('WEBHOOK_NOT_FOUND');
    const { endpoint } = await createEndpoint();
    const noDelivery = await call(
      'POST',
      `/admin/webhooks/${endpoint.id}/deliveries/${missing}/redeliver`,
      admin.accessToken,
    );
    expect(json<{ error: { code: string } }>(noDelivery).error.code).toBe('WEBHOOK_DELIVERY_NOT_FOUND');
    expect(await h.core.webhooks.list(SYSTEM_ACTOR)).toHaveLength(1);
  });
});
