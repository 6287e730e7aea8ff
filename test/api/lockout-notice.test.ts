/**
 * Property: the e-mail that tells an owner their second factor was locked says how the attempts
 * came. Only a sign-in that checked the password says the password was entered correctly; an
 * account locked through /verify (one the platform keeps without a password) is told no password
 * came with the attempts.
 */
import { randomBytes } from 'node:crypto';
import { encodeBase32, SYSTEM_ACTOR } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, type Harness, json } from '../support/harness.js';

const PASSWORD_CLAUSE = 'Your password was entered correctly';

let h: Harness;
let adminToken: string;
beforeAll(async () => {
  h = await createHarness();
  const admin = await h.core.accounts.create(SYSTEM_ACTOR, {
    username: 'notice-admin',
    password: 'admin password',
    role: 'admin',
  });
  adminToken = (await h.core.apiTokens.issue(admin.id, 'platform', 'write')).token;
});
afterAll(async () => h.close());

/** An account with an e-mail address and an authenticator key; a password only when given. */
async function accountWithTotp(password?: string): Promise<{ id: string; username: string; email: string }> {
  const username = `notice${randomBytes(4).toString('hex')}`;
  const email = `${username}@example.test`;
  const user = await h.core.accounts.create(SYSTEM_ACTOR, {
    username,
    email,
    ...(password === undefined ? {} : { password }),
  });
  const imported = await h.app.inject({
    method: 'POST',
    url: `/api/v1/admin/users/${user.id}/2fa/totp/import`,
    headers: bearer(adminToken),
    payload: { secret: encodeBase32(randomBytes(20)) },
  });
  expect(imported.statusCode).toBe(204);
  return { id: user.id, username, email };
}

/** Wrong codes until the answer is 429; the number of wrong answers before it. */
async function untilLocked(attempt: () => Promise<{ statusCode: number }>): Promise<number> {
  for (let tries = 0; tries < 20; tries++) {
    if ((await attempt()).statusCode === 429) return tries;
  }
  throw new Error('never locked');
}

describe('the lockout notice', () => {
  it('after /verify for an account without a password, does not say a password was entered', async () => {
    const user = await accountWithTotp();
    const wrong = () =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/verify',
        headers: bearer(adminToken),
        payload: { username: user.username, code: '000000' },
      });
    expect(await untilLocked(wrong)).toBeGreaterThan(0);
    await h.core.notifications.settle();
    const [notice] = h.outbox.notices(user.email).filter((mail) => mail.subject.includes('attempts'));
    expect(notice?.subject).toContain('failed second-factor attempts');
    expect(notice?.text).not.toContain(PASSWORD_CLAUSE);
    expect(notice?.text).toContain('No password came with these attempts');
  });

  it('after a sign-in with the right password, says so', async () => {
    const password = 'correct horse battery';
    const user = await accountWithTotp(password);
    const wrong = async () => {
      const started = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { username: user.username, password },
      });
      const { flowId } = json<{ flowId: string }>(started);
      return h.app.inject({
        method: 'POST',
        url: `/api/v1/auth/sign-in/${flowId}/second-factor`,
        payload: { code: '000000', method: 'totp' },
      });
    };
    expect(await untilLocked(wrong)).toBeGreaterThan(0);
    await h.core.notifications.settle();
    const [notice] = h.outbox.notices(user.email).filter((mail) => mail.subject.includes('attempts'));
    expect(notice?.subject).toContain('failed sign-in attempts');
    expect(notice?.text).toContain(PASSWORD_CLAUSE);
  });
});
