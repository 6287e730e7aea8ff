import { DEFAULT_TOTP_PARAMS, decodeBase32, type FactorRepository, type Repositories, totpAt } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, json, signUpAndSignIn } from '../support/harness.js';
import { createTotpUser } from '../support/totp-user.js';

/**
 * A confirm that advances its flow and activates the factor, and a disable that uses a success
 * token, finishes its flow and removes the factor, are each one unit of work. These tests make
 * the last write of that unit fail and check that none of the earlier ones stayed.
 */
describe('multi-row changes are all or nothing', () => {
  let h: Harness;
  /** While set, the named write of a unit of work throws after the writes before it succeeded. */
  let failing: 'activate' | 'delete' | undefined;

  beforeAll(async () => {
    h = await createHarness();
    const transaction = h.storage.transaction.bind(h.storage);
    h.storage.transaction = (work) =>
      transaction((repositories: Repositories) =>
        work({ ...repositories, factors: failingWhenAsked(repositories.factors) }),
      );
  });

  /** The factor repository of the unit of work, whose activate or delete throws while `failing` says so. */
  function failingWhenAsked(factors: FactorRepository): FactorRepository {
    return new Proxy(factors, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        if (property === 'activate' && failing === 'activate') {
          return async () => {
            throw new Error('injected failure while activating');
          };
        }
        if (property === 'delete' && failing === 'delete') {
          return async () => {
            throw new Error('injected failure while removing');
          };
        }
        return value.bind(target);
      },
    });
  }
  afterAll(async () => {
    await h.close();
  });

  it('a failed activation leaves the enrollment waiting, its flow open and no history entry', async () => {
    const { app, clock } = h;
    const session = await signUpAndSignIn(app);
    const auth = bearer(session.accessToken);
    const started = json<{ flowId: string; factorId: string; totp: { secret: string } }>(
      await app.inject({ method: 'POST', url: '/api/v1/me/2fa/enable', headers: auth, payload: { method: 'totp' } }),
    );
    const key = decodeBase32(started.totp.secret);
    const codeAt = (date: Date) => totpAt(key, Math.floor(date.getTime() / 1000), DEFAULT_TOTP_PARAMS);

    failing = 'activate';
    const failed = await app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/enable/${started.flowId}/confirm`,
      headers: auth,
      payload: { code: codeAt(clock.now()) },
    });
    failing = undefined;
    expect(failed.statusCode).toBe(500);

    const flow = json(await app.inject({ url: `/api/v1/me/2fa/enable/${started.flowId}`, headers: auth }));
    expect(flow).toMatchObject({ state: 'awaiting_code' });
    const factors = json<{ factors: { id: string; status: string }[] }>(
      await app.inject({ url: '/api/v1/me/factors', headers: auth }),
    );
    expect(factors.factors).toEqual([expect.objectContaining({ id: started.factorId, status: 'pending' })]);
    const history = json<{ total: number }>(await app.inject({ url: '/api/v1/me/2fa/history', headers: auth }));
    expect(history.total).toBe(0);

    // Nothing half done: the same enrollment still completes with the next code.
    clock.advanceSeconds(30);
    const confirmed = await app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/enable/${started.flowId}/confirm`,
      headers: auth,
      payload: { code: codeAt(clock.now()) },
    });
    expect(confirmed.statusCode).toBe(200);
    expect(json(confirmed)).toMatchObject({ state: 'enabled', factor: { status: 'active' } });
  });

  it('a failed removal leaves the method on, the flow open and the success token unused', async () => {
    const { app, clock } = h;
    const user = await createTotpUser(app, clock);
    const auth = bearer(user.accessToken);
    const challenge = json<{ challengeId: string }>(
      await app.inject({
        method: 'POST',
        url: '/api/v1/me/2fa/challenges',
        headers: auth,
        payload: { operation: 'disable_factor', target: 'totp', method: 'totp' },
      }),
    );
    const passed = json<{ successToken: string }>(
      await app.inject({
        method: 'POST',
        url: `/api/v1/me/2fa/challenges/${challenge.challengeId}/confirm`,
        headers: auth,
        payload: { code: user.codeAt(clock.now()) },
      }),
    );
    clock.advanceSeconds(30);
    const started = json<{ flowId: string }>(
      await app.inject({ method: 'POST', url: '/api/v1/me/2fa/disable', headers: auth, payload: { method: 'totp' } }),
    );

    failing = 'delete';
    const failed = await app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/disable/${started.flowId}/confirm`,
      headers: auth,
      payload: { successToken: passed.successToken },
    });
    failing = undefined;
    expect(failed.statusCode).toBe(500);

    const status = json<{ methods: string[] }>(await app.inject({ url: '/api/v1/me/2fa', headers: auth }));
    expect(status.methods).toEqual(['totp']);
    const history = json<{ items: { action: string }[] }>(
      await app.inject({ url: '/api/v1/me/2fa/history', headers: auth }),
    );
    expect(history.items.map((entry) => entry.action)).toEqual(['enable']);

    // The token was not spent and the flow did not move: the same confirm now goes through.
    const confirmed = await app.inject({
      method: 'POST',
      url: `/api/v1/me/2fa/disable/${started.flowId}/confirm`,
      headers: auth,
      payload: { successToken: passed.successToken },
    });
    expect(confirmed.statusCode).toBe(200);
    expect(json(confirmed)).toMatchObject({ state: 'disabled' });
  });
});
