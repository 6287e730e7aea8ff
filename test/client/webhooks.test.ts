import { randomBytes } from 'node:crypto';
import { type TesseraClient, verifyWebhook, WebhookVerificationError } from '@tessera/client';
import { SYSTEM_ACTOR } from '@tessera/core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver.js';
import { enrollTotpWithSdk, forOperation, rejection, signedInClient, useSdkServer } from './sdk-support.js';

const receiver = new WebhookReceiver();
const server = useSdkServer({ webhooks: { random: () => 0.5 } });

let admin: TesseraClient;
beforeAll(async () => {
  await receiver.start();
  admin = (await signedInClient(server, { role: 'admin' })).client;
});
afterAll(() => receiver.close());

/** An endpoint on the receiver, and an event sent to it (a user enrolling an authenticator). */
async function endpointWithDelivery(): Promise<{ id: string; secret: string; request: ReceivedWebhook }> {
  const path = `/sdk/${randomBytes(4).toString('hex')}`;
  const { endpoint, secret } = await admin.admin.webhooks.create({ url: receiver.url(path), events: ['factor.added'] });
  const user = await signedInClient(server);
  await enrollTotpWithSdk(server, user.client);
  await server.h.core.webhookDispatcher.runOnce();
  // Other endpoints of this file take the event too; only this one's matters here.
  for (const other of await server.h.core.webhooks.list(SYSTEM_ACTOR))
    if (other.id !== endpoint.id) await server.h.core.webhooks.update(SYSTEM_ACTOR, other.id, { enabled: false });
  const [request] = receiver.at(path);
  if (!request) throw new Error('nothing received');
  return { id: endpoint.id, secret, request };
}

function headersOf(request: ReceivedWebhook): Record<string, string> {
  return {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
}

describe('admin webhooks', () => {
  forOperation('adminCreateWebhook', 'registers an endpoint; its secret is shown once', async () => {
    const { endpoint, secret } = await admin.admin.webhooks.create({ url: 'https://platform.example/hooks' });
    expect(secret.startsWith('whsec_')).toBe(true);
    expect(endpoint).toMatchObject({ url: 'https://platform.example/hooks', events: [], enabled: true });
    expect(JSON.stringify(await admin.admin.webhooks.get(endpoint.id))).not.toContain(secret);
    expect(await rejection(admin.admin.webhooks.create({ url: 'mailto:someone@example.com' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      status: 400,
    });
    await admin.admin.webhooks.delete(endpoint.id);
  });

  forOperation('adminListWebhooks', 'lists the endpoints', async () => {
    const { endpoint } = await admin.admin.webhooks.create({ url: 'https://platform.example/list' });
    const { endpoints } = await admin.admin.webhooks.list();
    expect(endpoints.map((e) => e.id)).toContain(endpoint.id);
    await admin.admin.webhooks.delete(endpoint.id);
  });

  forOperation('adminGetWebhook', 'reads one endpoint', async () => {
    const { endpoint } = await admin.admin.webhooks.create({ url: 'https://platform.example/one' });
    expect(await admin.admin.webhooks.get(endpoint.id)).toEqual(endpoint);
    await admin.admin.webhooks.delete(endpoint.id);
  });

  forOperation('adminUpdateWebhook', 'changes the events and switches it off and on', async () => {
    const { endpoint } = await admin.admin.webhooks.create({ url: 'https://platform.example/update' });
    const updated = await admin.admin.webhooks.update(endpoint.id, { events: ['lockout.started'], enabled: false });
    expect(updated).toMatchObject({ events: ['lockout.started'], enabled: false });
    await admin.admin.webhooks.delete(endpoint.id);
  });

  forOperation('adminDeleteWebhook', 'removes an endpoint', async () => {
    const { endpoint } = await admin.admin.webhooks.create({ url: 'https://platform.example/delete' });
    await admin.admin.webhooks.delete(endpoint.id);
    expect(await rejection(admin.admin.webhooks.delete(endpoint.id))).toMatchObject({
      code: 'WEBHOOK_NOT_FOUND',
      status: 404,
    });
  });

  forOperation('adminRotateWebhookSecret', 'rotates the secret: both sign during the overlap', async () => {
    const { endpoint, secret } = await admin.admin.webhooks.create({ url: 'https://platform.example/rotate' });
    const rotated = await admin.admin.webhooks.rotateSecret(endpoint.id);
    expect(rotated.secret).not.toBe(secret);
    expect(Date.parse(rotated.previousSecretsExpireAt)).toBeGreaterThan(server.h.clock.now().getTime());
    await admin.admin.webhooks.delete(endpoint.id);
  });

  forOperation('adminListWebhookDeliveries', 'shows the deliveries with their attempts', async () => {
    const { id, request } = await endpointWithDelivery();
    const page = await admin.admin.webhooks.deliveries(id, { limit: 5 });
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({
      eventId: request.headers['webhook-id'],
      status: 'delivered',
      attempts: [{ statusCode: 204 }],
    });
  });

  forOperation('adminRedeliverWebhook', 'sends a delivery again', async () => {
    const { id } = await endpointWithDelivery();
    const [delivery] = (await admin.admin.webhooks.deliveries(id)).items;
    if (!delivery) throw new Error('no delivery');
    const again = await admin.admin.webhooks.redeliver(id, delivery.id);
    expect(again).toMatchObject({ id: delivery.id, status: 'pending', attemptCount: 0 });
  });
});

describe('verifyWebhook (WebCrypto)', () => {
  it('accepts what Tessera sent, and refuses a changed body, another secret or an old timestamp', async () => {
    const { secret, request } = await endpointWithDelivery();
    const event = await verifyWebhook(secret, request.body, headersOf(request));
    expect(event).toEqual(request.payload);
    expect(event.type).toBe('factor.added');
    // Node's IncomingHttpHeaders and fetch's Headers both do.
    expect(await verifyWebhook(secret, request.body, request.headers)).toEqual(request.payload);
    expect(
      await verifyWebhook(secret, new TextEncoder().encode(request.body), new Headers(headersOf(request))),
    ).toEqual(request.payload);
    await expect(verifyWebhook(secret, `${request.body} `, headersOf(request))).rejects.toThrow(
      WebhookVerificationError,
    );
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    await expect(verifyWebhook(other, request.body, headersOf(request))).rejects.toThrow('No matching signature');
    // Any of several secrets (a receiver switching to a rotated one).
    expect(await verifyWebhook([other, secret], request.body, headersOf(request))).toEqual(request.payload);
    const sentAt = Number(request.headers['webhook-timestamp']) * 1000;
    await expect(
      verifyWebhook(secret, request.body, headersOf(request), { now: new Date(sentAt + 301_000) }),
    ).rejects.toThrow('too old');
    await expect(
      verifyWebhook(secret, request.body, { ...headersOf(request), 'webhook-id': undefined }),
    ).rejects.toThrow('Missing');
  });

  it('agrees with the standardwebhooks library on signatures it made', async () => {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const body = JSON.stringify({
      type: 'lockout.started',
      timestamp: new Date().toISOString(),
      data: { userId: 'u' },
    });
    const at = new Date();
    const signature = new Webhook(secret).sign('msg_1', at, body);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': `v1,bm90IGl0 ${signature}`,
    };
    expect((await verifyWebhook(secret, body, headers)).type).toBe('lockout.started');
    await expect(verifyWebhook(secret, body, { ...headers, 'webhook-id': 'msg_2' })).rejects.toThrow();
  });
});
