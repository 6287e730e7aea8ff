import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oathtoolCode } from '../support/external-tools.js';
import {
  bearer,
  createHarness,
  createSignedInUser,
  type Harness,
  type SignedInUser,
  uniquePhone,
} from '../support/harness.js';

/**
 * B2Core and VPSBG publish no machine-readable description: their seed documents' examples are
 * the reference. Each row makes the request the example answers and pins Tessera's answer to
 * the example's shape: the status, every key name, each value's JSON type, the nesting (objects
 * key by key, arrays by their items), and the format of the times. Keys Tessera adds are listed
 * per row (`extra`), each a documented departure (docs/dialects.md).
 */

type Shape = string | { [key: string]: Shape } | Shape[];

const B2CORE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;
/** The confirmation records' times (the SMS step's `expiredAt`, `sentAt`). */
const CONFIRMATION_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** A JSON value's skeleton: objects key by key, arrays by their first item, leaves by their type. */
function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as object).map(([key, item]) => [key, shapeOf(item)]));
  }
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' && B2CORE_TIME.test(value)) return 'time';
  if (typeof value === 'string' && CONFIRMATION_TIME.test(value)) return 'confirmation time';
  return typeof value;
}

/** The example's shape with the row's extra keys (paths like `data.0.extra`) taken off the answer. */
function withoutExtras(shape: Shape, extras: readonly string[], path = ''): Shape {
  if (typeof shape === 'string') return shape;
  if (Array.isArray(shape)) return shape.map((item) => withoutExtras(item, extras, `${path}0.`));
  return Object.fromEntries(
    Object.entries(shape)
      .filter(([key]) => !extras.includes(`${path}${key}`))
      .map(([key, item]) => [key, withoutExtras(item, extras, `${path}${key}.`)]),
  );
}

interface Row {
  name: string;
  /** Where the example is: the seed file and its line. */
  seed: string;
  status: number;
  example: unknown;
  /** Keys Tessera's answer has beyond the example's (each documented). */
  extra?: string[];
  answer: () => Promise<LightMyRequestResponse>;
}

function pin(row: Row, response: LightMyRequestResponse): void {
  expect(response.statusCode, `${row.name}: ${response.body}`).toBe(row.status);
  const shape = withoutExtras(shapeOf(response.json()), row.extra ?? []);
  expect(shape, `${row.name} (${row.seed})`).toEqual(shapeOf(row.example));
  for (const extra of row.extra ?? []) {
    expect(JSON.stringify(response.json()), `${row.name}: ${extra} listed but absent`).toContain(
      `"${extra.split('.').at(-1)}"`,
    );
  }
}

describe('B2Core and VPSBG answers pinned against the seed examples', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url, headers, payload });
  const get = (url: string, user?: SignedInUser) =>
    h.app.inject({ url, headers: user ? bearer(user.accessToken) : {} });

  const UUID = '36f59381-5b54-48bd-a0c7-3b908c476732';
  const TOKENS = {
    code: 202,
    data: {
      accessToken: { token: 'eyJ…', createdAt: '2022-01-01T00:00:00+00:00', expiresAt: '2022-01-01T00:00:00+00:00' },
      refreshToken: { token: 'eyJ…', createdAt: '2022-01-01T00:00:00+00:00', expiresAt: '2022-01-01T00:00:00+00:00' },
    },
    done: true,
    uuid: UUID,
    workflow: 'login',
  };
  const TERMINATED = {
    code: 202,
    data: [],
    done: true,
    uuid: UUID,
    workflow: 'B2B\\TCA\\Wizards\\Workflow\\TerminateWorkflow',
  };
  const CHANGE = { id: 1, provider: 'sms', isEnabled: false, time: '2022-01-01T00:00:00+00:00' };

  it('B2Core (seed 002): every example, in the order a client meets them', async () => {
    const user = await createSignedInUser(h);
    const phone = uniquePhone();
    let uuid = '';
    let key = '';
    let signInUuid = '';
    let changeId = 0;
    let challengeToken = '';
    const signInStep = async () => {
      const wizard = (await get('/api/v2/my/signin/wizard')).json<{ uuid: string }>().uuid;
      const signedIn = await post('/api/v2/my/signin', {
        uuid: wizard,
        email: user.email,
        password: user.password,
        device_fingerprint: Buffer.from(JSON.stringify({ user_agent: 'Mozilla/5.0 (test)' })).toString('base64'),
      });
      return signedIn.json<{ uuid: string }>().uuid;
    };
    const rows: Row[] = [
      {
        name: 'GET /2fa/google/enable/wizard',
        seed: '002 line 320',
        status: 200,
        example: { code: 200, data: { key: 'TPYXG33M4LOHFJHB' }, done: false, uuid: UUID, workflow: '2fa_google' },
        answer: async () => {
          const response = await get('/api/v2/my/2fa/google/enable/wizard', user);
          ({ uuid } = response.json<{ uuid: string }>());
          key = response.json<{ data: { key: string } }>().data.key;
          return response;
        },
      },
      {
        name: 'POST /2fa/wizard {uuid, action: code, code, key} (google on)',
        seed: '002 line 419',
        status: 202,
        example: TERMINATED,
        answer: async () => {
          const response = await post(
            '/api/v2/my/2fa/wizard',
            { uuid, action: 'code', code: oathtoolCode(key, h.clock.now()), key },
            bearer(user.accessToken),
          );
          h.clock.advanceSeconds(30);
          return response;
        },
      },
      {
        name: 'GET /2fa/sms/enable/wizard',
        seed: '002 line 329',
        status: 200,
        example: { code: 200, data: null, done: false, uuid: UUID, workflow: '2fa_sms_phone_create' },
        answer: async () => {
          const response = await get('/api/v2/my/2fa/sms/enable/wizard', user);
          ({ uuid } = response.json<{ uuid: string }>());
          return response;
        },
      },
      {
        name: 'POST /2fa/wizard {uuid, phone}',
        seed: '002 line 483',
        status: 200,
        example: {
          code: 200,
          data: {
            status: 0,
            sent: 3,
            expiredAt: '2022-12-28T13:00:58.000000Z',
            sentAt: '2022-12-28T12:50:58.000000Z',
            recipient: {
              class: 'B2B\\TCA\\Confirmations\\Recipients\\PhoneRecipient',
              phone: '+79994445561',
              template: 'default',
              data: null,
              type: 2,
              method: 'phone',
            },
          },
          done: false,
          uuid: UUID,
          workflow: 'phone',
        },
        answer: async () => {
          const response = await post('/api/v2/my/2fa/wizard', { uuid, phone }, bearer(user.accessToken));
          ({ uuid } = response.json<{ uuid: string }>());
          return response;
        },
      },
      {
        name: 'POST /2fa/wizard {uuid, action: code, code} (sms on)',
        seed: '002 line 541',
        status: 202,
        example: TERMINATED,
        answer: () =>
          post(
            '/api/v2/my/2fa/wizard',
            { uuid, action: 'code', code: h.outbox.lastSmsCode(phone) },
            bearer(user.accessToken),
          ),
      },
      {
        name: 'GET /2fa',
        seed: '002 line 236',
        status: 200,
        example: { total: 2, data: [{ caption: 'SMS Confirmation', isEnabled: true, name: 'sms' }] },
        answer: () => get('/api/v2/my/2fa', user),
      },
      {
        name: 'GET /2fa/google',
        seed: '002 line 278',
        status: 200,
        example: { caption: 'Google Authenticator', isEnabled: false, name: 'google' },
        answer: () => get('/api/v2/my/2fa/google', user),
      },
      {
        name: 'POST /signin/2fa {uuid, type: google}',
        seed: '002 line 71',
        status: 200,
        example: { code: 200, data: null, done: false, uuid: UUID, workflow: '2fa_google_auth' },
        answer: async () => {
          signInUuid = await signInStep();
          return post('/api/v2/my/signin/2fa', { uuid: signInUuid, type: 'google' });
        },
      },
      {
        name: 'POST /2fa/google {uuid, code}',
        seed: '002 line 116',
        status: 202,
        example: TOKENS,
        answer: async () => {
          const response = await post('/api/v2/my/2fa/google', {
            uuid: signInUuid,
            code: oathtoolCode(key, h.clock.now()),
          });
          h.clock.advanceSeconds(30);
          return response;
        },
      },
      {
        name: 'POST /2fa/sms {uuid, code}',
        seed: '002 line 172',
        status: 202,
        example: TOKENS,
        answer: async () => {
          signInUuid = await signInStep();
          await post('/api/v2/my/signin/2fa', { uuid: signInUuid, type: 'sms' });
          return post('/api/v2/my/2fa/sms', { uuid: signInUuid, code: h.outbox.lastSmsCode(phone) });
        },
      },
      {
        name: 'GET /2fa/changes',
        seed: '002 line 640',
        status: 200,
        example: { total: 1, data: [CHANGE] },
        answer: async () => {
          const response = await get('/api/v2/my/2fa/changes', user);
          changeId = response.json<{ data: { id: number }[] }>().data[0]?.id ?? 0;
          return response;
        },
      },
      {
        name: 'GET /2fa/changes/{changeId}',
        seed: '002 line 683',
        status: 200,
        example: CHANGE,
        answer: () => get(`/api/v2/my/2fa/changes/${changeId}`, user),
      },
      {
        name: 'GET /2fa/google/disable/wizard',
        seed: '002 line 368',
        status: 200,
        example: { code: 200, data: null, done: true, uuid: UUID, workflow: '2fa_google' },
        answer: async () => {
          const response = await get('/api/v2/my/2fa/google/disable/wizard', user);
          ({ uuid } = response.json<{ uuid: string }>());
          return response;
        },
      },
      {
        name: 'POST /2fa/wizard {uuid, action: code, code} (google off)',
        seed: '002 line 588',
        status: 202,
        example: TERMINATED,
        answer: () =>
          post(
            '/api/v2/my/2fa/wizard',
            { uuid, action: 'code', code: oathtoolCode(key, h.clock.now()) },
            bearer(user.accessToken),
          ),
      },
      {
        name: 'POST /2fa/challenge {token, code}',
        seed: '002 line 211',
        status: 200,
        example: { token: '3929dfe8-161a-428c-9c71-fde728fe7285', expiresAt: '2022-01-01T00:00:00+00:00' },
        // The seed's field list names successToken; its example leaves it out.
        extra: ['successToken'],
        answer: async () => {
          const plain = await createSignedInUser(h);
          challengeToken = (await get('/api/v2/my/2fa/challenge', plain)).json<{ token: string }>().token;
          return post(
            '/api/v2/my/2fa/challenge',
            { token: challengeToken, code: h.outbox.lastEmailCode(plain.email) },
            bearer(plain.accessToken),
          );
        },
      },
    ];
    for (const row of rows) pin(row, await row.answer());
  });

  it('VPSBG (seed 000): GET /v1/user/2fa as the example, POST and DELETE 204 with no body', async () => {
    const user = await createSignedInUser(h);
    const example = {
      secret_key: 'TYFM77AMC6O2RPHA',
      otp_auth_url:
        'otpauth://totp/VPSBG:test%test.com?secret=TYFM77AMC6O2RPHA&issuer=VPSBG&algorithm=SHA1&digits=6&period=30',
    };
    const issued = await get('/v1/user/2fa', user);
    pin({ name: 'GET /v1/user/2fa', seed: '000 line 210', status: 200, example, answer: async () => issued }, issued);
    const { secret_key, otp_auth_url } = issued.json<{ secret_key: string; otp_auth_url: string }>();
    // The URI's parameters, as the example's: secret, issuer, algorithm, digits, period.
    expect([...new URL(otp_auth_url).searchParams.keys()].sort()).toEqual([
      'algorithm',
      'digits',
      'issuer',
      'period',
      'secret',
    ]);
    expect(new URL(otp_auth_url).searchParams.get('secret')).toBe(secret_key);

    const enabled = await post(
      '/v1/user/2fa',
      { otp: Number(oathtoolCode(secret_key, h.clock.now())), secret_key },
      bearer(user.accessToken),
    );
    expect(enabled.statusCode).toBe(204);
    expect(enabled.body).toBe('');
    h.clock.advanceSeconds(30);
    const disabled = await h.app.inject({
      method: 'DELETE',
      url: '/v1/user/2fa',
      headers: bearer(user.accessToken),
      payload: { otp: oathtoolCode(secret_key, h.clock.now()) },
    });
    expect(disabled.statusCode).toBe(204);
    expect(disabled.body).toBe('');
  });
});
