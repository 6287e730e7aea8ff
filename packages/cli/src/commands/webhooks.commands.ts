import { defineCommand, required, wholeNumber } from '../command.js';
import { cell, table } from '../output.js';
import { OPERATOR } from './lookup.js';

const ID_FLAG = { id: { type: 'string', value: 'ID', description: 'the endpoint (from webhooks list)' } } as const;

function eventsOf(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((event) => event.trim())
    .filter((event) => event !== '');
}

export const webhooksCreate = defineCommand({
  name: 'webhooks create',
  summary: 'register a webhook endpoint; prints its signing secret, shown only once',
  synopsis: '--url URL [--events E1,E2] [--description D]',
  details:
    'Every event of the types given (all when --events is left out) is POSTed to the URL, signed per\n' +
    'Standard Webhooks. With --json: {"endpoint": …, "secret": "whsec_…"}. The event types are listed\n' +
    'in docs/operations.md.',
  flags: {
    url: { type: 'string', value: 'URL', description: 'where the events go (http or https)' },
    events: { type: 'string', value: 'E1,E2', description: 'the event types to send, comma-separated' },
    description: { type: 'string', value: 'D', description: 'a note for admins' },
  },
  async run({ withRuntime }, flags) {
    const url = required(flags.url, 'url');
    const events = eventsOf(flags.events);
    return withRuntime(async ({ core }) => {
      const created = await core.webhooks.create(OPERATOR, {
        url,
        ...(events ? { events } : {}),
        ...(flags.description !== undefined ? { description: flags.description } : {}),
      });
      return { data: created, text: created.secret };
    });
  },
});

export const webhooksList = defineCommand({
  name: 'webhooks list',
  summary: 'the webhook endpoints (never their secrets)',
  flags: {},
  async run({ withRuntime }) {
    return withRuntime(async ({ core }) => {
      const endpoints = await core.webhooks.list(OPERATOR);
      const rows = endpoints.map((e) => [
        e.id,
        e.url,
        e.events.length === 0 ? 'all' : e.events.join(','),
        e.enabled ? 'enabled' : 'disabled',
      ]);
      return { data: endpoints, text: table(['ID', 'URL', 'EVENTS', 'STATE'], rows) };
    });
  },
});

export const webhooksDelete = defineCommand({
  name: 'webhooks delete',
  summary: 'remove a webhook endpoint and its pending deliveries',
  synopsis: '--id ID',
  flags: ID_FLAG,
  async run({ withRuntime }, flags) {
    const id = required(flags.id, 'id');
    return withRuntime(async ({ core }) => {
      await core.webhooks.delete(OPERATOR, id);
      return { data: { deleted: id }, text: `deleted ${id}` };
    });
  },
});

export const webhooksRotateSecret = defineCommand({
  name: 'webhooks rotate-secret',
  summary: 'a new signing secret for an endpoint; prints it (the old one signs beside it for a while)',
  synopsis: '--id ID',
  details:
    'Until previousSecretsExpireAt (TESSERA_WEBHOOK_SECRET_OVERLAP_SECONDS) every delivery carries a\n' +
    'signature by the old secret and one by the new, so the receiver can switch without a gap.',
  flags: ID_FLAG,
  async run({ withRuntime }, flags) {
    const id = required(flags.id, 'id');
    return withRuntime(async ({ core }) => {
      const rotated = await core.webhooks.rotateSecret(OPERATOR, id);
      return { data: rotated, text: rotated.secret };
    });
  },
});

export const webhooksDeliveries = defineCommand({
  name: 'webhooks deliveries',
  summary: "an endpoint's deliveries, newest first: status, attempts, last answer",
  synopsis: '--id ID [--limit N] [--offset N]',
  flags: {
    ...ID_FLAG,
    limit: { type: 'string', value: 'N', description: 'at most N deliveries (1-100, default 20)' },
    offset: { type: 'string', value: 'N', description: 'skip the first N' },
  },
  async run({ withRuntime }, flags) {
    const id = required(flags.id, 'id');
    const limit = wholeNumber(flags.limit, 'limit', 20, 1, 100);
    const offset = wholeNumber(flags.offset, 'offset', 0, 0, 10_000_000);
    return withRuntime(async ({ core }) => {
      const page = await core.webhooks.deliveries(OPERATOR, id, { limit, offset });
      const rows = page.items.map((d) => [
        d.id,
        d.eventType,
        d.status,
        String(d.attemptCount),
        cell(d.lastStatusCode ?? d.lastError),
        cell(d.nextAttemptAt),
        d.createdAt,
      ]);
      return {
        data: page,
        text: table(['ID', 'EVENT', 'STATUS', 'ATTEMPTS', 'LAST ANSWER', 'NEXT ATTEMPT', 'CREATED'], rows),
      };
    });
  },
});

export const webhooksRedeliver = defineCommand({
  name: 'webhooks redeliver',
  summary: 'send a delivery again at once, with a fresh round of retries',
  synopsis: '--id ID --delivery DELIVERY_ID',
  details: 'The running servers send it within TESSERA_WEBHOOK_POLL_MS; it keeps its webhook-id.',
  flags: {
    ...ID_FLAG,
    delivery: { type: 'string', value: 'DELIVERY_ID', description: 'the delivery (from webhooks deliveries)' },
  },
  async run({ withRuntime }, flags) {
    const id = required(flags.id, 'id');
    const delivery = required(flags.delivery, 'delivery');
    return withRuntime(async ({ core }) => {
      const again = await core.webhooks.redeliver(OPERATOR, id, delivery);
      return { data: again, text: `${again.id} due again` };
    });
  },
});
