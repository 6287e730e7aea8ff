/**
 * Property: password guessing is throttled in the database, per account and per client address,
 * by one mechanism whichever door the guess came through (native sign-in, B2Core, Mudbase, cPanel
 * login and HTTP Basic). Five failures of an account within a minute block its passwords for ten
 * minutes; the block always ends, so someone without the password holds the owner back at most
 * ten minutes at a time and gets at most 240 guesses an hour. One address gets 100 failures an
 * hour across accounts. A throttled try answers 429 with the time to retry (PASSWORD_THROTTLED
 * natively, each dialect's own shape with Retry-After), whether or not the password was right,
 * and the same for an account that does not exist.
 */

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHarness, createSignedInUser, type Harness, json } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

function inSeconds(seconds: number): string {
  return new Date(h.clock.now().getTime() + seconds * 1000).toISOString();
}

let nextAddress = 0;
/** A client address no other test of this file uses, so that each has its own address budget. */
function freshAddress(): string {
  nextAddress++;
  return `198.51.${Math.floor(nextAddress / 250)}.${(nextAddress % 250) + 1}`;
}

async function signIn(username: string, password: string, remoteAddress: string) {
  return h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password }, remoteAddress });
}

interface ThrottledBody {
  error: { code: string; message: string; retryAt?: string };
}

async function failTimes(username: string, times: number, address: string, stepSeconds = 0) {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    statuses.push((await signIn(username, 'not the password', address)).statusCode);
    h.clock.advanceSeconds(stepSeconds);
  }
  return statuses;
}

describe('password throttling per account', () => {
  it('five failures within a minute block the account ten minutes, even for the right password, and say until when', async () => {
    const user = await createSignedInUser(h);
    const address = freshAddress();
    expect(await failTimes(user.username, 5, address, 10)).toEqual([401, 401, 401, 401, 401]);
    const blockedUntil = inSeconds(590);

    const right = await signIn(user.username, user.password, address);
    const wrong = await signIn(user.username, 'not the password', address);
    for (const answer of [right, wrong]) {
      expect(answer.statusCode).toBe(429);
      expect(json<ThrottledBody>(answer)).toEqual({
        error: { code: 'PASSWORD_THROTTLED', message: expect.stringContaining(blockedUntil), retryAt: blockedUntil },
      });
      expect(answer.headers['retry-after']).toBeDefined();
    }
    // The two throttled answers are the same: nothing tells the right password from a wrong one.
    expect(right.body).toBe(wrong.body);

    h.clock.advanceSeconds(589);
    expect((await signIn(user.username, user.password, address)).statusCode).toBe(429);
    h.clock.advanceSeconds(1);
    expect(json(await signIn(user.username, user.password, address))).toMatchObject({ status: 'signed_in' });
    // The success started the count afresh.
    expect(await failTimes(user.username, 4, address)).toEqual([401, 401, 401, 401]);
    expect(json(await signIn(user.username, user.password, address))).toMatchObject({ status: 'signed_in' });
  });

  it('failures spread over the hour still block at the fifth (a one-minute window would not)', async () => {
    const user = await createSignedInUser(h);
    const address = freshAddress();
    expect(await failTimes(user.username, 5, address, 600)).toEqual([401, 401, 401, 401, 401]);
    // The fifth came 40 minutes after the first; its block runs ten minutes from it.
    h.clock.advanceSeconds(-1);
    expect((await signIn(user.username, user.password, address)).statusCode).toBe(429);
  });

  it('an attacker without the password: at most 30 guesses an hour, and the owner blocked at most ten minutes at a time', async () => {
    const user = await createSignedInUser(h);
    // Spread: four quick guesses every minute, as a one-minute window would allow forever.
    let checked = 0;
    let address = freshAddress();
    for (let minute = 0; minute < 60; minute++) {
      if (minute % 20 === 0) address = freshAddress(); // keeps the per-address budget out of it
      const statuses = await failTimes(user.username, 4, address);
      checked += statuses.filter((status) => status === 401).length;
      h.clock.advanceSeconds(60);
    }
    expect(checked).toBeLessThanOrEqual(30);
    expect(checked).toBeGreaterThanOrEqual(25);
    h.clock.advanceSeconds(600);

    // Bursts: the fifth guess blocks; however the attacker keeps at it, the owner's wait is at most
    // ten minutes from any moment, and then the right password works.
    for (let round = 0; round < 6; round++) {
      const address = freshAddress();
      const burst = await failTimes(user.username, 5, address);
      expect(burst).toEqual([401, 401, 401, 401, 401]);
      const refused = await signIn(user.username, user.password, address);
      const retryAt = Date.parse(json<ThrottledBody>(refused).error.retryAt ?? '');
      expect(retryAt - h.clock.now().getTime()).toBeLessThanOrEqual(600_000);
      h.clock.advanceSeconds(600);
    }
    expect(json(await signIn(user.username, user.password, freshAddress()))).toMatchObject({ status: 'signed_in' });
  });

  it('with the optional ceiling, no password is checked after that many failures in a row until a reset', async () => {
    const strict = await createHarness({ passwordThrottle: { maxConsecutiveFailures: 8, windowSeconds: 60 } });
    try {
      const user = await createSignedInUser(strict);
      const tryOnce = (password: string) =>
        strict.app.inject({
          method: 'POST',
          url: '/api/v1/auth/sign-in',
          payload: { username: user.username, password },
          remoteAddress: '198.51.200.1',
        });
      for (let i = 0; i < 8; i++) {
        expect((await tryOnce('not the password')).statusCode).toBe(401);
        strict.clock.advanceSeconds(61);
      }
      strict.clock.advanceSeconds(24 * 3600);
      const refused = await tryOnce(user.password);
      expect(refused.statusCode).toBe(429);
      expect(json<ThrottledBody>(refused).error).toEqual({
        code: 'PASSWORD_THROTTLED',
        message: expect.stringContaining('reset the password'),
      });
      expect(refused.headers['retry-after']).toBeUndefined();

      // Password recovery opens the account again.
      const started = await strict.app.inject({
        method: 'POST',
        url: '/api/v1/auth/recovery',
        payload: { login: user.username },
        remoteAddress: '198.51.200.2',
      });
      const { challengeId } = json<{ challengeId: string }>(started);
      const code = await vi.waitFor(() => strict.outbox.lastEmailCode(user.email), { timeout: 5_000, interval: 10 });
      const confirmed = await strict.app.inject({
        method: 'POST',
        url: `/api/v1/auth/recovery/${challengeId}/confirm`,
        payload: { code },
      });
      const { successToken } = json<{ successToken: string }>(confirmed);
      const reset = await strict.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset',
        payload: { successToken, newPassword: 'a brand new passphrase' },
      });
      expect(reset.statusCode).toBe(204);
      expect(json(await tryOnce('a brand new passphrase'))).toMatchObject({ status: 'signed_in' });
    } finally {
      await strict.close();
    }
  });

  it('of 20 simultaneous wrong passwords, only 5 are checked', async () => {
    const user = await createSignedInUser(h);
    const address = freshAddress();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => signIn(user.username, 'not the password', address)),
    );
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(15).fill(429)]);
  });

  it('an unknown username is throttled exactly as an account is', async () => {
    const user = await createSignedInUser(h);
    const unknown = `nobody${randomBytes(4).toString('hex')}`;
    const address = freshAddress();
    for (let i = 0; i < 7; i++) {
      const real = await signIn(user.username, 'not the password', address);
      const fake = await signIn(unknown, 'not the password', address);
      expect({ try: i + 1, status: real.statusCode, body: real.body }).toEqual({
        try: i + 1,
        status: fake.statusCode,
        body: fake.body,
      });
    }
  });

  it('is kept in the database: another server over the same database sees it', async () => {
    const user = await createSignedInUser(h);
    const address = freshAddress();
    await failTimes(user.username, 5, address);
    const other = await createHarness({ storage: h.storage, secretKey: h.secretKey, clock: h.clock });
    try {
      const answer = await other.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { username: user.username, password: user.password },
        remoteAddress: address,
      });
      expect(answer.statusCode).toBe(429);
    } finally {
      await other.close();
    }
  });

  it('also holds the passwords of HTTP Basic credentials and of a confirmed change', async () => {
    const user = await createSignedInUser(h);
    const address = freshAddress();
    const { accounts } = h.core;
    for (let i = 0; i < 3; i++) {
      await expect(accounts.authenticatePassword(user.username, 'not the password', address)).rejects.toMatchObject({
        code: 'INVALID_CREDENTIALS',
      });
    }
    const actor = await accounts.authenticatePassword(user.username, user.password, address);
    for (let i = 0; i < 5; i++) {
      await expect(accounts.confirmPassword(actor, user.id, 'not the password')).rejects.toMatchObject({
        code: 'INVALID_CREDENTIALS',
      });
    }
    await expect(accounts.confirmPassword(actor, user.id, user.password)).rejects.toMatchObject({
      code: 'PASSWORD_THROTTLED',
    });
    await expect(accounts.authenticatePassword(user.username, user.password, freshAddress())).rejects.toMatchObject({
      code: 'PASSWORD_THROTTLED',
    });
  });
});

describe('password throttling per client address', () => {
  it('100 failures an hour from one address, across accounts; then even a right password waits', async () => {
    const address = freshAddress();
    const user = await createSignedInUser(h);
    const windowStart = h.clock.now();
    for (let i = 0; i < 100; i++) {
      // Each guess at a different name: the account budget never comes into it.
      const answer = await signIn(`guess${i}-${randomBytes(3).toString('hex')}`, 'not the password', address);
      expect(answer.statusCode).toBe(401);
    }
    h.clock.advanceSeconds(30 * 60);
    const refused = await signIn(user.username, user.password, address);
    expect(refused.statusCode).toBe(429);
    expect(json<ThrottledBody>(refused).error.retryAt).toBe(new Date(windowStart.getTime() + 3_600_000).toISOString());

    // Another address is not held back, and the account itself was never tried wrongly.
    expect(json(await signIn(user.username, user.password, freshAddress()))).toMatchObject({ status: 'signed_in' });

    h.clock.advanceSeconds(30 * 60);
    expect(json(await signIn(user.username, user.password, address))).toMatchObject({ status: 'signed_in' });
  });

  it('right passwords do not use the address budget up', async () => {
    const address = freshAddress();
    const user = await createSignedInUser(h);
    for (let i = 0; i < 99; i++) {
      await signIn(`guess${i}-${randomBytes(3).toString('hex')}`, 'not the password', address);
    }
    for (let i = 0; i < 3; i++) {
      expect(json(await signIn(user.username, user.password, address))).toMatchObject({ status: 'signed_in' });
    }
    expect((await signIn(`one-more-${randomBytes(3).toString('hex')}`, 'not the password', address)).statusCode).toBe(
      401,
    );
    expect((await signIn(user.username, user.password, address)).statusCode).toBe(429);
  });
});

describe('one budget per account, whichever door the guess came through', () => {
  const fingerprint = Buffer.from(JSON.stringify({ user_agent: 'test' })).toString('base64');
  const basic = (username: string, password: string) =>
    `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  /** A sign-in at each door, with the given password, as the door answers it. */
  function doors(user: { username: string; email: string }, address: string) {
    return {
      native: (password: string) => signIn(user.username, password, address),
      b2core: (password: string) =>
        h.app.inject({
          method: 'POST',
          url: '/api/v2/my/signin',
          payload: {
            uuid: '00000000-0000-4000-8000-000000000001',
            email: user.email,
            password,
            device_fingerprint: fingerprint,
          },
          remoteAddress: address,
        }),
      mudbase: (password: string) =>
        h.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: user.email, password },
          remoteAddress: address,
        }),
      cpanelLogin: (password: string) =>
        h.app.inject({
          method: 'POST',
          url: '/login/?login_only=1',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ user: user.username, pass: password }).toString(),
          remoteAddress: address,
        }),
      uapiBasic: (password: string) =>
        h.app.inject({
          url: '/execute/TwoFactorAuth/get_user_configuration',
          headers: { authorization: basic(user.username, password) },
          remoteAddress: address,
        }),
    };
  }

  it('one wrong password at each of five doors blocks the account at every door, each in its own shape', async () => {
    const user = await createSignedInUser(h);
    const address = freshAddress();
    const at = doors(user, address);
    const wrong = 'not the password';
    expect((await at.native(wrong)).statusCode).toBe(401);
    expect((await at.b2core(wrong)).statusCode).toBe(401);
    expect((await at.mudbase(wrong)).statusCode).toBe(401);
    expect((await at.cpanelLogin(wrong)).statusCode).toBe(401);
    expect((await at.uapiBasic(wrong)).statusCode).toBe(401);

    // The fifth failure blocked the account: the right password is refused at every door.
    const native = await at.native(user.password);
    expect(native.statusCode).toBe(429);
    expect(json<ThrottledBody>(native).error.code).toBe('PASSWORD_THROTTLED');

    const b2core = await at.b2core(user.password);
    expect(b2core.statusCode).toBe(429);
    expect(json(b2core)).toEqual({ code: 429, message: expect.stringContaining('Too many'), errors: {} });

    const mudbase = await at.mudbase(user.password);
    expect(mudbase.statusCode).toBe(429);
    expect(json(mudbase)).toMatchObject({ code: 'RATE_LIMITED', path: '/api/auth/login' });

    const cpanel = await at.cpanelLogin(user.password);
    expect(cpanel.statusCode).toBe(429);
    expect(json(cpanel)).toEqual({ status: 0, message: expect.stringContaining('Too many') });

    const uapi = await at.uapiBasic(user.password);
    expect(uapi.statusCode).toBe(429);
    expect(json<{ result: { status: number } }>(uapi).result.status).toBe(0);

    for (const answer of [native, b2core, mudbase, cpanel, uapi]) {
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    }

    h.clock.advanceSeconds(600);
    expect((await at.b2core(user.password)).statusCode).toBe(202);
  });
});
