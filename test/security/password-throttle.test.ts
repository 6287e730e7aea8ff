/**
 * Property: password guessing is throttled in the database, per account and per client address.
 * After 5 consecutive failures of an account each further try waits 1 s, doubling to 60 s; after
 * 100 in a row no password is checked until the password is reset. One address gets 100 failures
 * an hour across accounts. A throttled try answers 429 PASSWORD_THROTTLED with the time to retry,
 * whether or not the password was right, and the same for an account that does not exist.
 */

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHarness, createSignedInUser, type Harness, json } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

let nextAddress = 0;
/** A client address no other test of this file uses, so that each has its own address budget. */
function freshAddress(): string {
  nextAddress++;
  return `198.51.${Math.floor(nextAddress / 250)}.${(nextAddress % 250) + 1}`;
}

async function signIn(username: string, password: string, remoteAddress: string) {
  return h.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { username, password }, remoteAddress });
}

function inSeconds(seconds: number): string {
  return new Date(h.clock.now().getTime() + seconds * 1000).toISOString();
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
  it('five failures are free; then even the right password must wait a second, and it says until when', async () => {
    const user = await createSignedInUser(h);
    const address = freshAddress();
    expect(await failTimes(user.username, 5, address)).toEqual([401, 401, 401, 401, 401]);

    const right = await signIn(user.username, user.password, address);
    const wrong = await signIn(user.username, 'not the password', address);
    for (const answer of [right, wrong]) {
      expect(answer.statusCode).toBe(429);
      expect(json<ThrottledBody>(answer)).toEqual({
        error: { code: 'PASSWORD_THROTTLED', message: expect.stringContaining(inSeconds(1)), retryAt: inSeconds(1) },
      });
      expect(answer.headers['retry-after']).toBeDefined();
    }
    // The two throttled answers are the same: nothing tells the right password from a wrong one.
    expect(right.body).toBe(wrong.body);

    h.clock.advanceSeconds(1);
    expect(json(await signIn(user.username, user.password, address))).toMatchObject({ status: 'signed_in' });
    // The success started the count afresh.
    expect(await failTimes(user.username, 5, address)).toEqual([401, 401, 401, 401, 401]);
  });

  it('each further failure doubles the wait, up to a minute, never a long lock', async () => {
    const user = await createSignedInUser(h);
    const address = freshAddress();
    await failTimes(user.username, 5, address);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const refused = json<ThrottledBody>(await signIn(user.username, 'not the password', address));
      const retryAt = refused.error.retryAt ?? '';
      const wait = (Date.parse(retryAt) - h.clock.now().getTime()) / 1000;
      waits.push(wait);
      h.clock.advanceSeconds(wait);
      expect((await signIn(user.username, 'not the password', address)).statusCode).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
    expect(json((await signIn(user.username, 'not the password', address)) ?? {})).toMatchObject({
      error: { code: 'PASSWORD_THROTTLED', retryAt: inSeconds(60) },
    });
    h.clock.advanceSeconds(60);
    expect(json(await signIn(user.username, user.password, address))).toMatchObject({ status: 'signed_in' });
  });

  it('after 100 failures in a row no password is checked until the password is reset', async () => {
    const user = await createSignedInUser(h);
    // A new address every 50 tries keeps the address budget out of this test.
    for (let i = 0; i < 2; i++) {
      const statuses = await failTimes(user.username, 50, freshAddress(), 61);
      expect(statuses.every((status) => status === 401)).toBe(true);
    }
    h.clock.advanceSeconds(24 * 3600);
    const refused = await signIn(user.username, user.password, freshAddress());
    expect(refused.statusCode).toBe(429);
    expect(json<ThrottledBody>(refused).error).toEqual({
      code: 'PASSWORD_THROTTLED',
      message: expect.stringContaining('reset the password'),
    });
    expect(refused.headers['retry-after']).toBeUndefined();

    // Password recovery opens the account again.
    const address = freshAddress();
    const started = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/recovery',
      payload: { login: user.username },
      remoteAddress: address,
    });
    const { challengeId } = json<{ challengeId: string }>(started);
    const code = await vi.waitFor(() => h.outbox.lastEmailCode(user.email), { timeout: 5_000, interval: 10 });
    const confirmed = await h.app.inject({
      method: 'POST',
      url: `/api/v1/auth/recovery/${challengeId}/confirm`,
      payload: { code },
    });
    const { successToken } = json<{ successToken: string }>(confirmed);
    const reset = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { successToken, newPassword: 'a brand new passphrase' },
    });
    expect(reset.statusCode).toBe(204);
    expect(json(await signIn(user.username, 'a brand new passphrase', address))).toMatchObject({
      status: 'signed_in',
    });
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
