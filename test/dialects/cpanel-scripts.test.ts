import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, createSignedInUser, type Harness, type SignedInUser } from '../support/harness.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The path of the last request made (after any redirect was followed). */
  path: string;
}

const FORM = 'application/x-www-form-urlencoded';

/**
 * cPanel scripts as they really call: the `cpanel-api` npm client (0.2.3-alpha, on the `request`
 * library) sends every call as a GET with the arguments in a form body, and logs in with
 * `GET /login` and a form body `user`/`pass`, follows the redirect and takes the `cpsess<10
 * digits>` segment of the path it lands on; its calls then carry HTTP Basic under that prefix,
 * with no cookie jar. The client itself hard-codes `https://<host>:2083` and has no TwoFactorAuth
 * module, so its requests are reproduced byte for byte here with node:http over a real socket.
 */
describe('cPanel scripts: form bodies on GET, the browser-style login, Basic under the prefix', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await createHarness();
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await h.close();
  });

  /** One HTTP request on the socket, following redirects as `request` does for a GET. */
  function send(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: string; follow?: boolean } = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const body = options.body === undefined ? undefined : Buffer.from(options.body);
      const headers = { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
      const outgoing = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const location = incoming.headers.location;
          const status = incoming.statusCode ?? 0;
          if (options.follow && location && status >= 300 && status < 400) {
            // `request` follows a GET's redirect with the same headers and body.
            resolve(send(method, location, { ...options, follow: false }));
            return;
          }
          resolve({ status, headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8'), path });
        });
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  const basic = (user: SignedInUser) => `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

  /** cpanel-api's getAuthToken: GET /login with a form body and Basic, redirects followed, the path's first segment. */
  async function cpanelApiLogin(user: SignedInUser): Promise<string> {
    const landed = await send('GET', '/login', {
      headers: { authorization: basic(user), 'content-type': FORM },
      body: form({ user: user.username, pass: user.password }),
      follow: true,
    });
    return landed.path.split('/')[1] ?? '';
  }

  it("the cpanel-api client's login: GET /login with a form body is redirected to /cpsess<10 digits>/", async () => {
    const user = await createSignedInUser(h);
    const segment = await cpanelApiLogin(user);
    expect(segment).toMatch(/^cpsess\d{10}$/);
  });

  it("the cpanel-api client's calls: GET under the prefix, Basic, the arguments in a form body (UAPI and WHM)", async () => {
    const user = await createSignedInUser(h);
    const segment = await cpanelApiLogin(user);
    const headers = { authorization: basic(user), 'content-type': FORM };
    const uapi = await send('GET', `/${segment}/execute/TwoFactorAuth/get_user_configuration?`, {
      headers,
      body: form({}),
    });
    expect(uapi.status, uapi.body).toBe(200);
    expect(JSON.parse(uapi.body)).toMatchObject({ result: { status: 1, data: { is_enabled: 0 } } });

    // The argument reaches the function only if the GET's form body is read.
    const set = await send('GET', `/${segment}/json-api/twofactorauth_set_issuer?api.version=1`, {
      headers,
      body: form({ issuer: 'FromGetBody' }),
    });
    expect(JSON.parse(set.body)).toMatchObject({ metadata: { result: 1 } });
    const issuer = await send('GET', `/${segment}/json-api/twofactorauth_get_issuer?api.version=1`, { headers });
    expect(JSON.parse(issuer.body)).toMatchObject({ data: { issuer: 'FromGetBody' } });
  });

  it('arguments come from the query string and from a form body, on GET and POST alike', async () => {
    const user = await createSignedInUser(h);
    const headers = { authorization: basic(user), 'content-type': FORM };
    const cases: [string, string, string | undefined, string][] = [
      ['GET', '/json-api/twofactorauth_set_issuer?issuer=GetQuery', undefined, 'GetQuery'],
      ['GET', '/json-api/twofactorauth_set_issuer', form({ issuer: 'GetForm' }), 'GetForm'],
      ['POST', '/json-api/twofactorauth_set_issuer?issuer=PostQuery', '', 'PostQuery'],
      ['POST', '/json-api/twofactorauth_set_issuer', form({ issuer: 'PostForm' }), 'PostForm'],
    ];
    for (const [method, path, body, expected] of cases) {
      const set = await send(method, path, { headers, ...(body === undefined ? {} : { body }) });
      expect(JSON.parse(set.body), `${method} ${path}`).toMatchObject({ metadata: { result: 1 } });
      const read = await send('GET', '/json-api/twofactorauth_get_issuer', { headers });
      expect(JSON.parse(read.body)).toMatchObject({ data: { issuer: expected } });
    }
  });

  it('a browser-style login (no login_only) answers 301 to the prefix with the cookie; the cookie is good there', async () => {
    const user = await createSignedInUser(h);
    const answer = await send('POST', '/login/', {
      headers: { 'content-type': FORM },
      body: form({ user: user.username, pass: user.password }),
    });
    expect(answer.status).toBe(301);
    const location = String(answer.headers.location);
    expect(location).toMatch(/^\/cpsess\d{10}\/$/);
    const cookie = String(answer.headers['set-cookie']).split(';')[0] ?? '';
    expect(cookie).toMatch(/^cpsession=/);
    const home = await send('GET', location, { headers: { cookie } });
    expect(home.status).toBe(200);
    expect(JSON.parse(home.body)).toEqual({ status: 1, security_token: location.slice(0, -1) });
    const withoutCookie = await send('GET', location);
    expect(withoutCookie.status).toBe(401);
    const call = await send('GET', `${location}json-api/twofactorauth_get_issuer`, { headers: { cookie } });
    expect(JSON.parse(call.body)).toMatchObject({ metadata: { result: 1 } });
  });

  it('a password in the query string is refused (400): URLs reach logs; a wrong password under GET is 401', async () => {
    const user = await createSignedInUser(h);
    const inQuery = await send('GET', `/login/?${form({ login_only: '1', user: user.username, pass: user.password })}`);
    expect(inQuery.status).toBe(400);
    expect(JSON.parse(inQuery.body)).toEqual({ status: 0, message: expect.stringMatching(/form body/) });
    expect(inQuery.headers['set-cookie']).toBeUndefined();
    const wrong = await send('GET', '/login', {
      headers: { 'content-type': FORM },
      body: form({ user: user.username, pass: 'not it' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('a form body on GET past the body limit is refused with 413, not read whole', async () => {
    const user = await createSignedInUser(h);
    const big = await send('GET', '/json-api/twofactorauth_set_issuer', {
      headers: { authorization: basic(user), 'content-type': FORM },
      body: `issuer=${'a'.repeat(20_000)}`,
    });
    expect(big.status).toBe(413);
  });
});
