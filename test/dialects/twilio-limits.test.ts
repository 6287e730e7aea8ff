import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHarness,
  createSignedInUser,
  GENEROUS_RATE_LIMITS,
  type Harness,
  json,
  uniquePhone,
} from '../support/harness.js';

/**
 * Twilio Verify's rules that need a server of their own (small limits) or real concurrency. Sends under Tessera's limits: a destination's hourly limit (Twilio's 60203),
 * and the SMS-pumping protection sized for a client account, which verifies many people's
 * numbers: its different destinations a day and its sends an hour (60410, Fraud Guard's code).
 * Small limits here, so that each is reached in a few calls.
 */
describe('Twilio Verify send limits, single use and expiry', () => {
  let h: Harness;
  let basic: Record<string, string>;
  let serviceSid: string;
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

  beforeAll(async () => {
    h = await createHarness({
      // The per-address groups sized for one person; a platform's calls are not held to them.
      rateLimit: { limits: { ...GENEROUS_RATE_LIMITS, codeSendsPerHour: 1, verifyPerMinute: 1 } },
      deliveredCodes: {
        resendCooldownSeconds: 0,
        hourlyLimit: 3,
        verifyClientDailySmsDestinations: 4,
        verifyClientHourlySmsLimit: 1000,
      },
    });
    const admin = await createSignedInUser(h, { role: 'admin' });
    const { token } = await h.core.apiTokens.issue(admin.id, 'twilio', 'write');
    basic = {
      authorization: `Basic ${Buffer.from(`AC${admin.id.replaceAll('-', '')}:${token}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    };
    serviceSid = json<{ sid: string }>(
      await h.app.inject({
        method: 'POST',
        url: '/v2/Services',
        headers: basic,
        payload: form({ FriendlyName: 'Shop' }),
      }),
    ).sid;
  });
  afterAll(async () => {
    await h.close();
  });

  const send = (to: string) =>
    h.app.inject({
      method: 'POST',
      url: `/v2/Services/${serviceSid}/Verifications`,
      headers: basic,
      payload: form({ To: to, Channel: 'sms' }),
    });

  it('a destination gets at most its hourly sends: then 60203, and nothing more is sent', async () => {
    const to = uniquePhone();
    for (let i = 0; i < 3; i++) expect((await send(to)).statusCode).toBe(201);
    const refused = await send(to);
    expect(refused.statusCode).toBe(429);
    expect(json(refused)).toMatchObject({
      code: 60203,
      status: 429,
      more_info: 'https://www.twilio.com/docs/errors/60203',
    });
    expect(h.outbox.smsTo(to)).toHaveLength(3);
    h.clock.advanceSeconds(3601);
    expect((await send(to)).statusCode).toBe(201);
  });

  it('a client account reaches its different destinations of the day: a new number is 60410, a known one still goes', async () => {
    h.clock.advanceSeconds(86_401);
    const numbers = [uniquePhone(), uniquePhone(), uniquePhone(), uniquePhone()];
    for (const to of numbers) expect((await send(to)).statusCode).toBe(201);
    const blocked = await send(uniquePhone());
    expect(blocked.statusCode).toBe(403);
    expect(json(blocked)).toMatchObject({ code: 60410, status: 403 });
    expect((await send(numbers[0] ?? '')).statusCode).toBe(201);
  });

  const check = (to: string, code: string) =>
    h.app.inject({
      method: 'POST',
      url: `/v2/Services/${serviceSid}/VerificationCheck`,
      headers: basic,
      payload: form({ To: to, Code: code }),
    });

  it('a right code checked by several at once approves one of them; the others find nothing pending', async () => {
    // A new day: the destinations of the test before count no more.
    h.clock.advanceSeconds(86_401);
    const to = uniquePhone();
    expect((await send(to)).statusCode).toBe(201);
    const code = /\b(\d{6})\b/.exec(h.outbox.smsTo(to).at(-1)?.body ?? '')?.[1] ?? '';
    const answers = await Promise.all(Array.from({ length: 8 }, () => check(to, code)));
    const statuses = answers.map((answer) => answer.statusCode).sort();
    expect(statuses).toEqual([200, 404, 404, 404, 404, 404, 404, 404]);
    const approved = answers.find((answer) => answer.statusCode === 200);
    expect(approved && json(approved)).toMatchObject({ status: 'approved' });
  });

  it('a verification expires with its code: checks find nothing, and a fetch says expired', async () => {
    h.clock.advanceSeconds(86_401);
    const to = uniquePhone();
    const started = json<{ sid: string }>(await send(to));
    const code = /\b(\d{6})\b/.exec(h.outbox.smsTo(to).at(-1)?.body ?? '')?.[1] ?? '';
    h.clock.advanceSeconds(601);
    expect(json(await check(to, code))).toMatchObject({ code: 20404, status: 404 });
    const fetched = await h.app.inject({
      url: `/v2/Services/${serviceSid}/Verifications/${started.sid}`,
      headers: basic,
    });
    expect(json(fetched)).toMatchObject({ status: 'expired', valid: false });
  });

  it('an unknown path under /v2 is 20404 in Twilio’s shape once the credentials check, 20003 before', async () => {
    const unknown = await h.app.inject({ url: '/v2/Services/Nope/RateLimits', headers: basic });
    expect(unknown.statusCode).toBe(404);
    expect(json(unknown)).toMatchObject({ code: 20404, status: 404 });
    const anonymous = await h.app.inject({ url: '/v2/Services/Nope/RateLimits' });
    expect(json(anonymous)).toMatchObject({ code: 20003, status: 401 });
    const bearer = await h.app.inject({ url: '/v2/Services', headers: { authorization: 'Bearer tsa_x' } });
    expect(json(bearer)).toMatchObject({ code: 20003, status: 401 });
  });

  it('a send the provider refuses is 503 20503 and leaves no verification to check', async () => {
    h.clock.advanceSeconds(86_401);
    const to = uniquePhone();
    h.outbox.failNext(1, to);
    const refused = await send(to);
    expect(refused.statusCode).toBe(503);
    expect(json(refused)).toMatchObject({ code: 20503, status: 503 });
    expect(json(await check(to, '123456'))).toMatchObject({ code: 20404 });
    expect((await send(to)).statusCode).toBe(201);
  });
});
