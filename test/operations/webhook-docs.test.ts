import { readFile } from 'node:fs/promises';
import { WebhookEventType } from '@tessera/contract';
import { WEBHOOK_EVENT_TYPES } from '@tessera/core';
import { describe, expect, it } from 'vitest';

describe('the webhook event catalogue', () => {
  it('documents every event type the core sends, and the API takes exactly those', async () => {
    const operations = await readFile(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    const section = operations.slice(operations.indexOf('### Event catalogue'));
    const documented = [...section.matchAll(/^\| `([a-z_.]+)` +\|/gm)].map((match) => match[1]);
    expect(documented).toEqual([...WEBHOOK_EVENT_TYPES]);
    // Each has a payload example too.
    for (const type of WEBHOOK_EVENT_TYPES) expect(operations.includes(`"type":"${type}"`), type).toBe(true);
    expect(WebhookEventType.enum).toEqual([...WEBHOOK_EVENT_TYPES]);
  });
});
