import { randomUUID } from 'node:crypto';
import type { WebhookEndpointRecord, WebhookEventRecord, WebhookSecretRecord } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { at } from '../record-factories.js';
import type { ContractContext } from './context.js';

function anEndpoint(overrides: Partial<WebhookEndpointRecord> = {}): WebhookEndpointRecord {
  return {
    id: randomUUID(),
    url: 'https://hooks.example.com/tessera',
    description: 'platform',
    eventTypes: [],
    enabled: true,
    disabledReason: null,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

function aSecret(endpointId: string, overrides: Partial<WebhookSecretRecord> = {}): WebhookSecretRecord {
  return {
    id: randomUUID(),
    endpointId,
    sealedSecret: `sealed-${randomUUID()}`,
    createdAt: at(0),
    expiresAt: null,
    ...overrides,
  };
}

function anEvent(userId: string | null, overrides: Partial<WebhookEventRecord> = {}): WebhookEventRecord {
  const id = `msg_${randomUUID()}`;
  return { id, type: 'factor.added', userId, payload: JSON.stringify({ id }), createdAt: at(0), ...overrides };
}

/** Webhook endpoints and the outbox: fan-out, leases, the order per account, attempts. */
export function describeWebhookContract(ctx: ContractContext): void {
  describe('webhooks', () => {
    async function endpoint(overrides: Partial<WebhookEndpointRecord> = {}) {
      const record = anEndpoint(overrides);
      const secret = aSecret(record.id);
      await ctx.storage.webhooks.insertEndpoint(record, secret);
      return { record, secret };
    }

    it('stores, changes and removes an endpoint', async () => {
      const { record } = await endpoint({ eventTypes: ['factor.added', 'lockout.started'] });
      expect(await ctx.storage.webhooks.findEndpoint(record.id)).toEqual(record);
      const updated = await ctx.storage.webhooks.updateEndpoint(
        record.id,
        { enabled: false, disabledReason: 'gone', eventTypes: [] },
        at(5),
      );
      expect(updated).toEqual({ ...record, enabled: false, disabledReason: 'gone', eventTypes: [], updatedAt: at(5) });
      expect(await ctx.storage.webhooks.listEndpoints()).toEqual([updated]);
      expect(await ctx.storage.webhooks.updateEndpoint('nobody', { enabled: true }, at(5))).toBeUndefined();
      expect(await ctx.storage.webhooks.deleteEndpoint(record.id)).toBe(true);
      expect(await ctx.storage.webhooks.deleteEndpoint(record.id)).toBe(false);
      expect(await ctx.storage.webhooks.findEndpoint(record.id)).toBeUndefined();
    });

    it('fans an event out to the enabled endpoints whose filter takes it, and writes nothing for none', async () => {
      const all = await endpoint();
      const lockouts = await endpoint({ eventTypes: ['lockout.started'] });
      await endpoint({ enabled: false });
      expect(await ctx.storage.webhooks.enqueue(anEvent('u1'))).toBe(1);
      expect(await ctx.storage.webhooks.enqueue(anEvent('u1', { type: 'lockout.started' }))).toBe(2);
      expect((await ctx.storage.webhooks.listDeliveries(all.record.id, 10, 0)).total).toBe(2);
      const { items } = await ctx.storage.webhooks.listDeliveries(lockouts.record.id, 10, 0);
      expect(items.map((d) => [d.eventType, d.status, d.attemptCount])).toEqual([['lockout.started', 'pending', 0]]);
      await ctx.storage.webhooks.deleteEndpoint(all.record.id);
      await ctx.storage.webhooks.deleteEndpoint(lockouts.record.id);
      expect(await ctx.storage.webhooks.enqueue(anEvent('u1'))).toBe(0);
    });

    it('keeps an event exactly when the unit of work it was written in commits', async () => {
      const { record } = await endpoint();
      await expect(
        ctx.storage.transaction(async (tx) => {
          await tx.webhooks.enqueue(anEvent('u1'));
          throw new Error('the change fails');
        }),
      ).rejects.toThrow('the change fails');
      expect((await ctx.storage.webhooks.listDeliveries(record.id, 10, 0)).total).toBe(0);
      await ctx.storage.transaction((tx) => tx.webhooks.enqueue(anEvent('u1')));
      expect((await ctx.storage.webhooks.listDeliveries(record.id, 10, 0)).total).toBe(1);
    });

    it('hands out an account’s deliveries to an endpoint one at a time, in the order written', async () => {
      const { record, secret } = await endpoint();
      const first = anEvent('u1');
      const second = anEvent('u1', { createdAt: at(1) });
      const other = anEvent('u2', { createdAt: at(2) });
      for (const event of [first, second, other]) await ctx.storage.webhooks.enqueue(event);
      const claimed = await ctx.storage.webhooks.claimDue(at(10), at(60_000), 'a', 10);
      expect(claimed.map((c) => c.delivery.eventId)).toEqual([first.id, other.id]);
      expect(claimed[0]).toMatchObject({
        payload: first.payload,
        url: record.url,
        secrets: [{ id: secret.id, sealedSecret: secret.sealedSecret }],
      });
      // Leased: nobody else gets them until the lease runs out.
      expect(await ctx.storage.webhooks.claimDue(at(20), at(60_000), 'b', 10)).toEqual([]);
      const [firstClaim] = claimed;
      if (!firstClaim) throw new Error('nothing claimed');
      // A failure puts the first back for a later retry: the second still waits behind it.
      const retryAt = at(5 * 60_000);
      expect(
        await ctx.storage.webhooks.finishAttempt(
          firstClaim.delivery.id,
          'a',
          {
            id: randomUUID(),
            deliveryId: firstClaim.delivery.id,
            attemptedAt: at(11),
            statusCode: 500,
            durationMs: 7,
            error: null,
          },
          { status: 'pending', nextAttemptAt: retryAt, deliveredAt: null },
        ),
      ).toBe(true);
      expect(await ctx.storage.webhooks.claimDue(at(100), at(60_000), 'b', 10)).toEqual([]);
      const retried = await ctx.storage.webhooks.claimDue(retryAt, at(10 * 60_000), 'b', 10);
      // The other account's delivery was never finished: its lease has run out, so it is handed out again.
      expect(retried.map((c) => [c.delivery.eventId, c.delivery.attemptCount])).toEqual([
        [first.id, 1],
        [other.id, 0],
      ]);
      // Only the holder of the lease may finish it.
      const attempt = {
        id: randomUUID(),
        deliveryId: firstClaim.delivery.id,
        attemptedAt: retryAt,
        statusCode: 204,
        durationMs: 3,
        error: null,
      };
      const done = { status: 'delivered' as const, nextAttemptAt: retryAt, deliveredAt: retryAt };
      expect(await ctx.storage.webhooks.finishAttempt(firstClaim.delivery.id, 'a', attempt, done)).toBe(false);
      expect(
        await ctx.storage.webhooks.finishAttempt(firstClaim.delivery.id, 'b', { ...attempt, id: randomUUID() }, done),
      ).toBe(true);
      const next = await ctx.storage.webhooks.claimDue(retryAt, at(10 * 60_000), 'b', 10);
      expect(next.map((c) => c.delivery.eventId)).toEqual([second.id]);
      const listed = await ctx.storage.webhooks.findDelivery(record.id, firstClaim.delivery.id);
      expect(listed).toMatchObject({ status: 'delivered', attemptCount: 2, lastStatusCode: 204, deliveredAt: retryAt });
      expect(listed?.attempts.map((a) => a.statusCode).sort()).toEqual([204, 204, 500]);
    });

    it('counts the backlog: pending deliveries due now, to enabled endpoints, leased or not', async () => {
      expect(await ctx.storage.webhooks.countDue(at(0))).toBe(0);
      const { record } = await endpoint();
      const off = await endpoint({ eventTypes: ['lockout.started'] });
      await ctx.storage.webhooks.enqueue(anEvent('u1'));
      await ctx.storage.webhooks.enqueue(anEvent('u1', { type: 'lockout.started', createdAt: at(1) }));
      await ctx.storage.webhooks.enqueue(anEvent('u2', { createdAt: at(2) }));
      // Not yet due before it was written.
      expect(await ctx.storage.webhooks.countDue(at(-1))).toBe(0);
      expect(await ctx.storage.webhooks.countDue(at(10))).toBe(4);
      // One of an endpoint switched off is no backlog.
      await ctx.storage.webhooks.updateEndpoint(off.record.id, { enabled: false }, at(3));
      expect(await ctx.storage.webhooks.countDue(at(10))).toBe(3);
      // Leased deliveries are still due; one retried later, or delivered, is not.
      const claimed = await ctx.storage.webhooks.claimDue(at(10), at(60_000), 'a', 10);
      expect(await ctx.storage.webhooks.countDue(at(10))).toBe(3);
      const [retried, delivered] = claimed;
      if (!retried || !delivered) throw new Error('not claimed');
      const attempt = (deliveryId: string, statusCode: number) => ({
        id: randomUUID(),
        deliveryId,
        attemptedAt: at(11),
        statusCode,
        durationMs: 1,
        error: null,
      });
      await ctx.storage.webhooks.finishAttempt(retried.delivery.id, 'a', attempt(retried.delivery.id, 500), {
        status: 'pending',
        nextAttemptAt: at(5_000),
        deliveredAt: null,
      });
      await ctx.storage.webhooks.finishAttempt(delivered.delivery.id, 'a', attempt(delivered.delivery.id, 204), {
        status: 'delivered',
        nextAttemptAt: at(11),
        deliveredAt: at(11),
      });
      expect(await ctx.storage.webhooks.countDue(at(12))).toBe(1);
      expect(await ctx.storage.webhooks.countDue(at(5_000))).toBe(2);
      expect((await ctx.storage.webhooks.listDeliveries(record.id, 10, 0)).total).toBe(3);
    });

    it('sends a delivery again by hand, due at once, with a fresh round of attempts', async () => {
      const { record } = await endpoint();
      await ctx.storage.webhooks.enqueue(anEvent('u1'));
      const [claim] = await ctx.storage.webhooks.claimDue(at(1), at(60_000), 'a', 10);
      if (!claim) throw new Error('nothing claimed');
      await ctx.storage.webhooks.finishAttempt(
        claim.delivery.id,
        'a',
        {
          id: randomUUID(),
          deliveryId: claim.delivery.id,
          attemptedAt: at(1),
          statusCode: 410,
          durationMs: 1,
          error: null,
        },
        { status: 'failed', nextAttemptAt: at(1), deliveredAt: null },
      );
      expect(await ctx.storage.webhooks.claimDue(at(2), at(60_000), 'a', 10)).toEqual([]);
      expect(await ctx.storage.webhooks.redeliver(record.id, claim.delivery.id, at(3))).toBe(true);
      expect(await ctx.storage.webhooks.redeliver(record.id, 'nothing', at(3))).toBe(false);
      expect(await ctx.storage.webhooks.redeliver(randomUUID(), claim.delivery.id, at(3))).toBe(false);
      const again = await ctx.storage.webhooks.claimDue(at(3), at(60_000), 'a', 10);
      expect(again.map((c) => [c.delivery.id, c.delivery.attemptCount])).toEqual([[claim.delivery.id, 0]]);
    });

    it('keeps a rotated secret live until its expiry, the new one first', async () => {
      const { record, secret } = await endpoint();
      const next = aSecret(record.id, { createdAt: at(1) });
      expect(await ctx.storage.webhooks.rotateSecret(record.id, next, at(1000), at(1))).toBe(true);
      expect(await ctx.storage.webhooks.rotateSecret(randomUUID(), aSecret(record.id), at(1000), at(1))).toBe(false);
      await ctx.storage.webhooks.enqueue(anEvent(null));
      const [during] = await ctx.storage.webhooks.claimDue(at(2), at(3), 'a', 10);
      expect(during?.secrets.map((s) => s.id)).toEqual([next.id, secret.id]);
      const [after] = await ctx.storage.webhooks.claimDue(at(1000), at(2000), 'a', 10);
      expect(after?.secrets.map((s) => s.id)).toEqual([next.id]);
    });

    it('never leases one delivery to two concurrent dispatchers', async () => {
      await endpoint();
      for (let i = 0; i < 30; i++) await ctx.storage.webhooks.enqueue(anEvent(`user-${i}`));
      const storages = await ctx.connections({ transactions: false });
      const claims = await ctx.race(storages, (storage, i) =>
        storage.webhooks.claimDue(at(1), at(60_000), `owner-${i}`, 5),
      );
      const ids = claims.flat().map((c) => c.delivery.id);
      expect(ids.length).toBeGreaterThan(0);
      expect(new Set(ids).size).toBe(ids.length);
      // A claim that lost its candidates to another takes fewer; what is left is handed out later.
      const rest = await ctx.storage.webhooks.claimDue(at(1), at(60_000), 'late', 30);
      expect(new Set([...ids, ...rest.map((c) => c.delivery.id)]).size).toBe(30);
      expect(ids.length + rest.length).toBe(30);
    });
  });
}
