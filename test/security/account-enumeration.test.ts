/**
 * Property: neither sign-up nor password recovery tells whether an e-mail address has an
 * account. Sign-up with a taken address answers exactly as for a new account (201, the same
 * body shape), creates nothing and tells the address's owner; usernames are public handles and a
 * taken one is still reported. Recovery answers before any e-mail work, the same for every login.
 */

import { randomBytes } from 'node:crypto';
import { SYSTEM_ACTOR } from '@tessera/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { createHarness, createSignedInUser, type Harness, json } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ deliveredCodes: { resendCooldownSeconds: 0 } });
});
afterEach(async () => h.core.notifications.settle());
afterAll(async () => h.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function newName(): string {
  return `user${randomBytes(5).toString('hex')}`;
}

async function signUp(username: string, email: string) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    payload: { username, password: 'correct horse battery', email },
  });
}

/** The keys of a body with the kind of each value (what a client could tell apart). */
function shape(response: LightMyRequestResponse): Record<string, string> {
  const body = json(response);
  return Object.fromEntries(
    Object.keys(body)
      .sort()
      .map((key) => {
        const value = body[key];
        if (typeof value === 'string' && UUID.test(value)) return [key, 'uuid'];
        if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) return [key, 'date-time'];
        return [key, value === null ? 'null' : typeof value];
      }),
  );
}

describe('sign-up with an address that has an account', () => {
  it('answers as for a new account, creates nothing, and tells the owner', async () => {
    const owner = await createSignedInUser(h);
    const fresh = await signUp(newName(), `${newName()}@example.test`);
    const attemptName = newName();
    const taken = await signUp(attemptName, owner.email);

    expect(taken.statusCode).toBe(fresh.statusCode);
    expect(taken.statusCode).toBe(201);
    expect(shape(taken)).toEqual(shape(fresh));
    expect(json(taken)).toMatchObject({ username: attemptName, email: owner.email, role: 'user' });

    // Nothing was created: the name is free and signs nobody in.
    await expect(h.core.accounts.getByUsername(attemptName)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    const signIn = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: attemptName, password: 'correct horse battery' },
    });
    expect(signIn.statusCode).toBe(401);
    expect((await signUp(attemptName, `${newName()}@example.test`)).statusCode).toBe(201);

    await h.core.notifications.settle();
    expect(h.outbox.notices(owner.email).map((m) => m.subject)).toEqual([
      'Tessera Test: someone tried to sign up with your address',
    ]);
  });

  it('a taken username is still reported: usernames are public', async () => {
    const owner = await createSignedInUser(h);
    const again = await signUp(owner.username, `${newName()}@example.test`);
    expect(again.statusCode).toBe(409);
    expect(json(again)).toMatchObject({ error: { code: 'USERNAME_TAKEN' } });
  });

  it('an admin or the operator creating an account is told the address is taken', async () => {
    const owner = await createSignedInUser(h);
    await expect(
      h.core.accounts.create(SYSTEM_ACTOR, {
        username: newName(),
        password: 'correct horse battery',
        email: owner.email,
      }),
    ).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
  });
});

describe('password recovery timing', () => {
  // The provider holds every e-mail: an answer that waited for any delivery work would never
  // come, and the test would fail on its timeout.
  it('answers every login before any e-mail work, with bodies of the same length', { timeout: 5_000 }, async () => {
    const user = await createSignedInUser(h);
    const withoutAddress = newName();
    await h.core.accounts.create(SYSTEM_ACTOR, { username: withoutAddress, password: 'correct horse battery' });
    const release = h.outbox.hold();
    onTestFinished(release);

    const logins = [user.username, user.email, withoutAddress, newName(), `${newName()}@example.test`];
    const answers = [];
    for (const login of logins) {
      answers.push(await h.app.inject({ method: 'POST', url: '/api/v1/auth/recovery', payload: { login } }));
    }
    expect(answers.map((a) => a.statusCode)).toEqual([202, 202, 202, 202, 202]);
    expect(new Set(answers.map((a) => a.headers['content-length'])).size).toBe(1);
    await vi.waitFor(() => expect(h.outbox.waiting).toBe(2), { timeout: 5_000, interval: 10 });
    release();
    await vi.waitFor(() => expect(h.outbox.emailsSent.filter((m) => m.to === user.email && m.code)).toHaveLength(2), {
      timeout: 5_000,
      interval: 10,
    });
  });
});
