import { buildApp, createLogger } from '@tessera/server';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../support/harness.js';

describe('GET /ready', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h.close());

  async function appAsking(pending: () => Promise<string[]>): Promise<FastifyInstance> {
    const app = await buildApp({ core: h.core, logger: createLogger('silent'), pendingMigrations: pending });
    await app.ready();
    return app;
  }

  it('is 200 when the database answers and every migration ran', async () => {
    const app = await appAsking(() => h.storage.pendingMigrations());
    try {
      const response = await app.inject({ url: '/ready' });
      expect(response.statusCode).toBe(200);
      expect(json(response)).toEqual({ status: 'ready', checks: { database: { status: 'ok' } } });
    } finally {
      await app.close();
    }
  });

  it('is 503 in the error shape when migrations are missing or the database does not answer', async () => {
    for (const pending of [
      async () => ['2099_01_01_000001_future'],
      async () => Promise.reject(new Error('ECONNREFUSED')),
    ]) {
      const app = await appAsking(pending);
      try {
        const response = await app.inject({ url: '/ready' });
        expect(response.statusCode).toBe(503);
        expect(json(response)).toMatchObject({
          error: { code: 'NOT_READY', message: expect.stringMatching(/^Not ready/) },
          checks: { database: { status: 'down', reason: expect.any(String) } },
        });
      } finally {
        await app.close();
      }
    }
  });

  it('the real storage reports nothing pending after migrating', async () => {
    expect(await h.storage.pendingMigrations()).toEqual([]);
  });
});
