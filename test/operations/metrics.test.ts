/**
 * The Prometheus listener: known traffic in, the counts read back through a real scrape of the
 * separate metrics listener (not through the registry's own methods).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@tessera/core';
import { listenForMetrics, type MetricsListener, ServerMetrics, startServer } from '@tessera/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, GENEROUS_RATE_LIMITS, type Harness } from '../support/harness.js';
import { LogCapture } from '../support/log-capture.js';
import { sample, scrape } from '../support/prometheus-text.js';
import { createTotpUser, verifyCode, wrongCode } from '../support/totp-user.js';

const VERIFY_PER_MINUTE = 12;
let harness: Harness;
let listener: MetricsListener;

beforeAll(async () => {
  const metrics = new ServerMetrics({ version: '9.9.9-test' });
  harness = await createHarness({
    metrics,
    lockout: { maxFailures: 3 },
    rateLimit: { limits: { ...GENEROUS_RATE_LIMITS, verifyPerMinute: VERIFY_PER_MINUTE } },
  });
  listener = await listenForMetrics(metrics, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await listener.close();
  await harness.close();
});

describe('Prometheus metrics', () => {
  it('counts second-factor outcomes, the lockout, a rate-limit refusal and the requests by route pattern', async () => {
    const { app, clock } = harness;
    const user = await createTotpUser(app, clock);
    const before = await scrape(listener.url);
    const count = (text: string, name: string, labels: Record<string, string>) =>
      sample(text, name, labels) - sample(before, name, labels);

    const code = user.codeAt(clock.now());
    const first = await verifyCode(app, user.accessToken, code);
    expect([first.statusCode, first.body]).toEqual([200, first.body]);
    // The same code again: a replay, not a guess.
    const replay = await verifyCode(app, user.accessToken, code);
    expect(replay.body).not.toBe(first.body);
    clock.advanceSeconds(30);
    const fresh = user.codeAt(clock.now());
    for (let i = 0; i < 3; i++) await verifyCode(app, user.accessToken, wrongCode(fresh));
    // Locked now: the right code is refused unchecked, until the group's budget runs out.
    let lockedAnswers = 0;
    let refusals = 0;
    for (let i = 0; i <= VERIFY_PER_MINUTE && refusals === 0; i++) {
      const response = await verifyCode(app, user.accessToken, fresh);
      if (response.body.includes('SECOND_FACTOR_LOCKED')) lockedAnswers++;
      else if (response.body.includes('RATE_LIMITED')) refusals++;
      else throw new Error(`unexpected answer ${response.statusCode} ${response.body}`);
    }
    expect(refusals).toBe(1);
    expect(lockedAnswers).toBeGreaterThan(0);

    const after = await scrape(listener.url);
    const verifications = 'tessera_second_factor_verifications_total';
    expect(count(after, verifications, { method: 'totp', outcome: 'ok' })).toBe(1);
    expect(count(after, verifications, { method: 'totp', outcome: 'replayed' })).toBe(1);
    expect(count(after, verifications, { method: 'totp', outcome: 'wrong' })).toBe(2);
    // The third wrong code used up the budget (answered "locked"), then the rest were refused while locked.
    expect(count(after, verifications, { method: 'totp', outcome: 'locked' })).toBe(1 + lockedAnswers);
    expect(count(after, 'tessera_lockouts_started_total', { kind: 'locked' })).toBe(1);
    expect(count(after, 'tessera_rate_limit_refusals_total', { group: 'verify' })).toBe(1);

    const route = { route: '/api/v1/me/verify', method: 'POST' };
    const refused = 3 + lockedAnswers + refusals;
    // A refused code answers 200 `{"valid":false}`; a locked account and a rate limit answer 4xx.
    const answered = (statusClass: string) =>
      count(after, 'tessera_http_requests_total', { ...route, status_class: statusClass });
    expect(answered('2xx') + answered('4xx')).toBe(2 + refused);
    expect(answered('4xx')).toBe(lockedAnswers + refusals + 1);
    expect(
      count(after, 'tessera_http_request_duration_seconds_count', { ...route, status_class: '4xx' }) +
        count(after, 'tessera_http_request_duration_seconds_count', { ...route, status_class: '2xx' }),
    ).toBe(2 + refused);
  });

  it('labels requests by the route pattern, never the path asked for', async () => {
    await harness.app.inject({ method: 'GET', url: '/no/such/path/12345' });
    const text = await scrape(listener.url);
    expect(text).not.toContain('12345');
    expect(sample(text, 'tessera_http_requests_total', { route: 'unmatched', status_class: '4xx' })).toBeGreaterThan(0);
  });

  it('serves the build info and the Node default metrics, and only at GET /metrics', async () => {
    const text = await scrape(listener.url);
    expect(sample(text, 'tessera_build_info', { version: '9.9.9-test', node_version: process.version })).toBe(1);
    expect(text).toMatch(/^tessera_nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^tessera_process_resident_memory_bytes \d/m);
    expect((await fetch(listener.url.replace('/metrics', '/'))).status).toBe(404);
  });
});

describe('TESSERA_METRICS_PORT', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tessera-metrics-'));
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('is off unless set, and when set serves the metrics apart from the API', async () => {
    const env = {
      TESSERA_DATA_DIR: dataDir,
      TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
      PORT: '0',
      TESSERA_WEB_UI: 'off',
    };
    const off = await startServer(loadConfig(env), new LogCapture(), env);
    try {
      expect(off.metricsUrl).toBeUndefined();
      expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
    } finally {
      await off.close();
    }
    const on = await startServer(loadConfig({ ...env, TESSERA_METRICS_PORT: '0' }), new LogCapture(), env);
    try {
      expect(on.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      await fetch(`${on.url}/health`);
      const text = await scrape(on.metricsUrl ?? '');
      expect(sample(text, 'tessera_http_requests_total', { route: '/health', status_class: '2xx' })).toBe(1);
      // The storage is measured too: the start's migration check ran selects.
      expect(sample(text, 'tessera_db_statement_duration_seconds_count', { kind: 'select' })).toBeGreaterThan(0);
    } finally {
      await on.close();
    }
    // Closed with the server.
    await expect(fetch(on.metricsUrl ?? '')).rejects.toThrow();
  });
});
