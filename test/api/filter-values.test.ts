/**
 * Property: a filter, sort or paging value the API does not know is refused with 400 in the
 * API's error shape, never ignored (which would answer a question that was not asked): the
 * native history lists (`/me/2fa/history`, `/admin/history`), the admin user list, and B2Core's
 * `filter[...]` keys.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createHarness, createSignedInUser, type Harness, json } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

describe('unknown filter values are 400', () => {
  it('native history and user lists: an unknown method, order, key or paging value', async () => {
    const user = await createSignedInUser(h);
    const admin = await createSignedInUser(h, { role: 'admin' });
    const cases: Array<[string, string]> = [
      [user.accessToken, '/api/v1/me/2fa/history?method=fax'],
      [user.accessToken, '/api/v1/me/2fa/history?method=TOTP'],
      [user.accessToken, '/api/v1/me/2fa/history?order=newest'],
      [user.accessToken, '/api/v1/me/2fa/history?sort=asc'],
      [user.accessToken, '/api/v1/me/2fa/history?event=enable'],
      [user.accessToken, '/api/v1/me/2fa/history?enabled=maybe'],
      [admin.accessToken, '/api/v1/admin/history?method=fax'],
      [admin.accessToken, '/api/v1/admin/history?kind=totp'],
      [admin.accessToken, '/api/v1/admin/users?limit=0'],
      [admin.accessToken, '/api/v1/admin/users?role=admin'],
    ];
    for (const [token, url] of cases) {
      const answer = await h.app.inject({ url, headers: bearer(token) });
      expect({ url, status: answer.statusCode, body: json(answer) }).toEqual({
        url,
        status: 400,
        body: { error: { code: 'VALIDATION_FAILED', message: expect.any(String) } },
      });
    }
    // A known value still filters.
    const known = await h.app.inject({ url: '/api/v1/me/2fa/history?method=totp', headers: bearer(user.accessToken) });
    expect(known.statusCode).toBe(200);
  });

  it('B2Core: an unknown filter[...] key is 400 naming it', async () => {
    const user = await createSignedInUser(h);
    for (const key of ['filter[is_enabled]', 'filter[method]', 'filter[unknown]']) {
      const answer = await h.app.inject({
        url: `/api/v2/my/2fa/changes?${encodeURIComponent(key)}=true`,
        headers: bearer(user.accessToken),
      });
      expect({ key, status: answer.statusCode, body: json(answer) }).toEqual({
        key,
        status: 400,
        body: { code: 400, message: expect.any(String), errors: { [`querystring.${key}`]: [expect.any(String)] } },
      });
    }
    const known = await h.app.inject({
      url: '/api/v2/my/2fa/changes?filter%5BisEnabled%5D=true',
      headers: bearer(user.accessToken),
    });
    expect(known.statusCode).toBe(200);
  });
});
