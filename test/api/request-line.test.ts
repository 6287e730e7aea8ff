import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, createSignedInUser, type Harness } from '../support/harness.js';

/** The log's line for a refused request names the error code beside the status. */
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

function requestLines(since: number): { res: { statusCode: number }; errorCode?: string; req: { url: string } }[] {
  return h.log.lines
    .slice(since)
    .map((line) => JSON.parse(line))
    .filter((entry) => entry.msg === 'request completed');
}

describe('the request line', () => {
  it('carries the error code of a refusal, in the native API and in a dialect, and none on success', async () => {
    const user = await createSignedInUser(h);
    const mark = h.log.mark();
    await h.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(user.accessToken) });
    await h.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: bearer(user.accessToken) });
    await h.app.inject({ method: 'GET', url: '/api/v1/nowhere' });
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { username: user.username, password: 'wrong password' },
    });
    await h.app.inject({ method: 'GET', url: '/v1/user/2fa', headers: bearer('not-a-token') });
    const lines = requestLines(mark);
    expect(lines.map((line) => [line.res.statusCode, line.errorCode])).toEqual([
      [200, undefined],
      [403, 'FORBIDDEN'],
      [404, 'ROUTE_NOT_FOUND'],
      [401, 'INVALID_CREDENTIALS'],
      [401, expect.stringMatching(/^[A-Z_]+$/)],
    ]);
  });
});
