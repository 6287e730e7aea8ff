/**
 * The webhook metrics, read through a real scrape of the metrics listener while the dispatcher
 * sends to a real HTTP receiver: each attempt is counted by its outcome (delivered, a failed
 * attempt to be retried, the last one given up, an endpoint disabled by 410 Gone), and the
 * outbox's backlog gauge shows the deliveries due at the dispatcher's last look. The dispatcher
 * is driven by the test on the harness's clock.
 */
import { randomBytes } from 'node:crypto';
import { SYSTEM_ACTOR, WEBHOOK_RETRY_DELAYS_SECONDS } from '@tessera/core';
import { listenForMetrics, type MetricsListener, ServerMetrics } from '@tessera/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, createSignedInUser, enrollTotp, type Harness, json } from '../support/harness.js';
import { sample, scrape } from '../support/prometheus-text.js';
import { type ReceiverAnswer, WebhookReceiver } from '../support/webhook-receiver.js';

let h: Harness;
let receiver: WebhookReceiver;
let listener: MetricsListener;
let adminToken: string;

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  const metrics = new ServerMetrics({ version: '9.9.9-test' });
  // random() = 0.5 puts the retry jitter at zero: each retry is due exactly after its delay.
  h = await createHarness({ metrics, webhooks: { random: () => 0.5 } });
  listener = await listenForMetrics(metrics, { port: 0, host: '127.0.0.1' });
  const admin = await createSignedInUser(h, { role: 'admin' });
  adminToken = (await h.core.apiTokens.issue(admin.id, 'webhook metrics', 'write')).token;
});

afterAll(async () => {
  await listener.close();
  await h.close();
  await receiver.close();
});

afterEach(async () => {
  for (const endpoint of await h.core.webhooks.list(SYSTEM_ACTOR))
    await h.core.webhooks.delete(SYSTEM_ACTOR, endpoint.id);
});

/** An endpoint that takes the factor.added events, answering from `answers` (then 204). */
async function endpointAnswering(answers: ReceiverAnswer[]): Promise<{ id: string; path: string }> {
  const path = `/hooks/${randomBytes(4).toString('hex')}`;
  receiver.script(path, answers);
  const response = await h.app.inject({
    method: 'POST',
    url: '/api/v1/admin/webhooks',
    headers: bearer(adminToken),
    payload: { url: receiver.url(path), events: ['factor.added'] },
  });
  expect(response.statusCode, response.body).toBe(201);
  return { id: json<{ endpoint: { id: string } }>(response).endpoint.id, path };
}

/** One factor.added event: an account enrolls TOTP. */
async function oneEvent(): Promise<void> {
  const user = await createSignedInUser(h);
  await enrollTotp(h.app, user.accessToken, h.clock.now());
}

async function figures(): Promise<{ outcome: (outcome: string) => number; due: number }> {
  const text = await scrape(listener.url);
  return {
    outcome: (outcome) => sample(text, 'tessera_webhook_deliveries_total', { outcome }),
    due: sample(text, 'tessera_webhook_outbox_due'),
  };
}

const runOnce = () => h.core.webhookDispatcher.runOnce();

describe('webhook metrics', () => {
  it('count a failed attempt and the delivery on its retry; the backlog is what each look found due', async () => {
    const before = await figures();
    const { path } = await endpointAnswering([500]);
    await oneEvent();

    expect(await runOnce()).toBe(1);
    let now = await figures();
    expect(now.outcome('failed_attempt') - before.outcome('failed_attempt')).toBe(1);
    expect(now.outcome('delivered') - before.outcome('delivered')).toBe(0);
    expect(now.due).toBe(1);
    // Waiting for its retry, the delivery is not due: the next look finds no backlog.
    expect(await runOnce()).toBe(0);
    expect((await figures()).due).toBe(0);

    h.clock.advanceSeconds(WEBHOOK_RETRY_DELAYS_SECONDS[0] ?? 0);
    expect(await runOnce()).toBe(1);
    now = await figures();
    expect(now.outcome('delivered') - before.outcome('delivered')).toBe(1);
    expect(now.outcome('failed_attempt') - before.outcome('failed_attempt')).toBe(1);
    expect(now.due).toBe(1);
    expect(await runOnce()).toBe(0);
    expect((await figures()).due).toBe(0);
    expect(receiver.at(path)).toHaveLength(2);
  });

  it('show a backlog of several deliveries due at one look', async () => {
    await endpointAnswering([]);
    for (let i = 0; i < 3; i++) await oneEvent();
    expect(await runOnce()).toBe(3);
    expect((await figures()).due).toBe(3);
    expect(await runOnce()).toBe(0);
    expect((await figures()).due).toBe(0);
  });

  it('count every failed attempt of the schedule and the last one as given up', async () => {
    const before = await figures();
    const attempts = WEBHOOK_RETRY_DELAYS_SECONDS.length + 1;
    const { path } = await endpointAnswering(Array.from({ length: attempts }, () => 503));
    await oneEvent();
    for (const delay of [0, ...WEBHOOK_RETRY_DELAYS_SECONDS]) {
      h.clock.advanceSeconds(delay);
      expect(await runOnce()).toBe(1);
    }
    expect(await runOnce()).toBe(0);
    const now = await figures();
    expect(receiver.at(path)).toHaveLength(attempts);
    expect(now.outcome('failed_attempt') - before.outcome('failed_attempt')).toBe(attempts - 1);
    expect(now.outcome('gave_up') - before.outcome('gave_up')).toBe(1);
    expect(now.outcome('delivered') - before.outcome('delivered')).toBe(0);
    expect(now.due).toBe(0);
  });

  it('count an endpoint disabled by 410 Gone; its later deliveries are no backlog', async () => {
    const before = await figures();
    await endpointAnswering([410]);
    await oneEvent();
    expect(await runOnce()).toBe(1);
    let now = await figures();
    expect(now.outcome('disabled') - before.outcome('disabled')).toBe(1);
    expect(now.outcome('gave_up') - before.outcome('gave_up')).toBe(0);
    // A disabled endpoint gets no new deliveries, and none of it is due.
    await oneEvent();
    expect(await runOnce()).toBe(0);
    now = await figures();
    expect(now.due).toBe(0);
  });
});
