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

  async function appAsking(pending: () => Promise<string[]>, readinessTimeoutMs = 3000): Promise<FastifyInstance> {
    const app = await buildApp({
      core: h.core,
      logger: createLogger('silent'),
      pendingMigrations: pending,
      readinessTimeoutMs,
    });
    await app.ready();
    return app;
  }

  it('is 200 when the database answers and every migration ran', async () => {
    const app = await appAsking(() => h.storage.pendingMigrations());
    try {
      const response = await app.inject({ url: '/ready' });
      expect(response.statusCode, response.body).toBe(200);
      expect(json(response)).toEqual({
        status: 'ready',
        checks: { database: { status: 'up', latencyMs: expect.any(Number) } },
      });
    } finally {
      await app.close();
    }
  });

  it('is 503 in the error shape, naming the database, when migrations are missing or it does not answer', async () => {
    for (const [pending, reason] of [
      [async () => ['2099_01_01_000001_future'], '1 migration(s) not applied'],
      [async () => Promise.reject(new Error('ECONNREFUSED')), 'the database does not answer'],
      // A database that never answers is reported within the check's bound, not waited for.
      [() => new Promise<string[]>(() => {}), 'no answer within 200 ms'],
    ] as const) {
      // A short bound, so the database that never answers is reported quickly.
      const app = await appAsking(pending, 200);
      try {
        const response = await app.inject({ url: '/ready' });
        expect(response.statusCode).toBe(503);
        expect(json(response)).toEqual({
          status: 'not_ready',
          checks: { database: expect.objectContaining({ status: 'down', message: reason }) },
          error: { code: 'NOT_READY', message: `Not ready: database: ${reason}.` },
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
