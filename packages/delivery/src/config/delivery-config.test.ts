import { readFile } from 'node:fs/promises';
import { ConfigError } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { loadDeliveryConfig } from './delivery-config.js';
import { DELIVERY_ENV_VARS } from './delivery-env.js';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadDeliveryConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('delivery configuration', () => {
  it('defaults to the console providers', () => {
    expect(loadDeliveryConfig({})).toEqual({ sms: { provider: 'console' }, email: { provider: 'console' } });
    expect(loadDeliveryConfig({ TESSERA_SMS_PROVIDER: '', TESSERA_EMAIL_PROVIDER: '' })).toEqual({
      sms: { provider: 'console' },
      email: { provider: 'console' },
    });
  });

  it('ignores the settings of providers that are not selected', () => {
    expect(loadDeliveryConfig({ TESSERA_SMS_WEBHOOK_URL: 'not a url', TESSERA_SMTP_PORT: 'x' })).toEqual({
      sms: { provider: 'console' },
      email: { provider: 'console' },
    });
  });

  it('rejects an unknown provider by variable name', () => {
    expect(problemsOf({ TESSERA_SMS_PROVIDER: 'carrier-pigeon' })).toEqual([
      'TESSERA_SMS_PROVIDER must be one of console, webhook, twilio (got "carrier-pigeon")',
    ]);
    expect(problemsOf({ TESSERA_EMAIL_PROVIDER: 'sendmail' })).toEqual([
      'TESSERA_EMAIL_PROVIDER must be one of console, smtp (got "sendmail")',
    ]);
  });

  describe('webhook', () => {
    it('reads the URL and secret', () => {
      expect(
        loadDeliveryConfig({
          TESSERA_SMS_PROVIDER: 'webhook',
          TESSERA_SMS_WEBHOOK_URL: 'https://gateway.example.com/sms',
          TESSERA_SMS_WEBHOOK_SECRET: '0123456789abcdef',
        }).sms,
      ).toEqual({
        provider: 'webhook',
        timeoutMs: 5000,
        url: 'https://gateway.example.com/sms',
        secret: '0123456789abcdef',
      });
    });

    it('requires both settings', () => {
      const problems = problemsOf({ TESSERA_SMS_PROVIDER: 'webhook' });
      expect(problems).toEqual([
        'TESSERA_SMS_WEBHOOK_URL is required when the webhook provider is selected',
        'TESSERA_SMS_WEBHOOK_SECRET is required when the webhook provider is selected',
      ]);
    });

    it('rejects a URL that is not http(s) and a short secret', () => {
      const problems = problemsOf({
        TESSERA_SMS_PROVIDER: 'webhook',
        TESSERA_SMS_WEBHOOK_URL: 'ftp://gateway.example.com/sms',
        TESSERA_SMS_WEBHOOK_SECRET: 'short',
      });
      expect(problems).toEqual([
        'TESSERA_SMS_WEBHOOK_URL must be an http:// or https:// URL',
        'TESSERA_SMS_WEBHOOK_SECRET must be at least 16 characters long',
      ]);
      expect(
        problemsOf({
          TESSERA_SMS_PROVIDER: 'webhook',
          TESSERA_SMS_WEBHOOK_URL: 'gateway',
          TESSERA_SMS_WEBHOOK_SECRET: 'x'.repeat(16),
        }),
      ).toEqual(['TESSERA_SMS_WEBHOOK_URL must be an http:// or https:// URL']);
    });
  });

  describe('twilio', () => {
    const twilio = {
      TESSERA_SMS_PROVIDER: 'twilio',
      TESSERA_TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TESSERA_TWILIO_AUTH_TOKEN: 'token',
    };

    it('bounds the wait on Twilio as TESSERA_SMS_TIMEOUT_MS says', () => {
      expect(
        loadDeliveryConfig({ ...twilio, TESSERA_TWILIO_FROM: '+14155550100', TESSERA_SMS_TIMEOUT_MS: '1500' }).sms,
      ).toMatchObject({ timeoutMs: 1500 });
    });

    it('reads the account, token and sender, with the public API as the default base URL', () => {
      expect(loadDeliveryConfig({ ...twilio, TESSERA_TWILIO_FROM: '+14155550100' }).sms).toEqual({
        provider: 'twilio',
        accountSid: ACCOUNT_SID,
        authToken: 'token',
        from: '+14155550100',
        baseUrl: 'https://api.twilio.com',
        timeoutMs: 5000,
      });
      expect(
        loadDeliveryConfig({
          ...twilio,
          TESSERA_TWILIO_FROM: 'Tessera',
          TESSERA_TWILIO_BASE_URL: 'http://127.0.0.1:9000',
        }).sms,
      ).toMatchObject({ from: 'Tessera', baseUrl: 'http://127.0.0.1:9000' });
      expect(loadDeliveryConfig({ ...twilio, TESSERA_TWILIO_FROM: `MG${'b'.repeat(32)}` }).sms).toMatchObject({
        from: `MG${'b'.repeat(32)}`,
      });
    });

    it('requires the account SID, token and sender', () => {
      expect(problemsOf({ TESSERA_SMS_PROVIDER: 'twilio' })).toEqual([
        'TESSERA_TWILIO_ACCOUNT_SID is required when the twilio provider is selected',
        'TESSERA_TWILIO_AUTH_TOKEN is required when the twilio provider is selected',
        'TESSERA_TWILIO_FROM is required when the twilio provider is selected',
      ]);
    });

    it('rejects a malformed SID, sender and base URL', () => {
      const problems = problemsOf({
        ...twilio,
        TESSERA_TWILIO_ACCOUNT_SID: 'AC123',
        TESSERA_TWILIO_FROM: '0888 123 456',
        TESSERA_TWILIO_BASE_URL: 'api.twilio.com',
      });
      expect(problems).toHaveLength(3);
      expect(problems[0]).toMatch(/^TESSERA_TWILIO_ACCOUNT_SID must be/);
      expect(problems[1]).toMatch(/^TESSERA_TWILIO_FROM must be/);
      expect(problems[2]).toBe('TESSERA_TWILIO_BASE_URL must be an http:// or https:// URL');
      expect(problemsOf({ ...twilio, TESSERA_TWILIO_FROM: 'TooLongSenderId' })[0]).toMatch(/^TESSERA_TWILIO_FROM/);
    });
  });

  describe('smtp', () => {
    const smtp = {
      TESSERA_EMAIL_PROVIDER: 'smtp',
      TESSERA_SMTP_HOST: 'mail.example.com',
      TESSERA_EMAIL_FROM: 'no-reply@example.com',
    };

    it('bounds the wait on the SMTP server as TESSERA_SMTP_TIMEOUT_MS says, and refuses a bound below 100 ms', () => {
      expect(loadDeliveryConfig({ ...smtp, TESSERA_SMTP_TIMEOUT_MS: '2500' }).email).toMatchObject({ timeoutMs: 2500 });
      expect(problemsOf({ ...smtp, TESSERA_SMTP_TIMEOUT_MS: '5' }).join('\n')).toContain('TESSERA_SMTP_TIMEOUT_MS');
    });

    it('reads the server with the usual port for each mode', () => {
      expect(loadDeliveryConfig(smtp).email).toEqual({
        provider: 'smtp',
        host: 'mail.example.com',
        port: 587,
        secure: false,
        from: 'no-reply@example.com',
        timeoutMs: 10_000,
      });
      expect(loadDeliveryConfig({ ...smtp, TESSERA_SMTP_SECURE: 'true' }).email).toMatchObject({
        port: 465,
        secure: true,
      });
      expect(
        loadDeliveryConfig({
          ...smtp,
          TESSERA_SMTP_PORT: '2525',
          TESSERA_SMTP_SECURE: 'false',
          TESSERA_SMTP_USER: 'mailer',
          TESSERA_SMTP_PASSWORD: ' pass with spaces ',
          TESSERA_EMAIL_FROM: 'Tessera <no-reply@example.com>',
        }).email,
      ).toEqual({
        provider: 'smtp',
        host: 'mail.example.com',
        port: 2525,
        secure: false,
        auth: { user: 'mailer', pass: ' pass with spaces ' },
        from: 'Tessera <no-reply@example.com>',
        timeoutMs: 10_000,
      });
    });

    it('requires the host and sender', () => {
      expect(problemsOf({ TESSERA_EMAIL_PROVIDER: 'smtp' })).toEqual([
        'TESSERA_SMTP_HOST is required when the smtp provider is selected',
        'TESSERA_EMAIL_FROM is required when the smtp provider is selected',
      ]);
    });

    it('rejects a bad port, a bad TLS flag, a half login and a bad sender, all at once', () => {
      const problems = problemsOf({
        ...smtp,
        TESSERA_SMTP_PORT: '70000',
        TESSERA_SMTP_SECURE: 'yes',
        TESSERA_SMTP_USER: 'mailer',
        TESSERA_EMAIL_FROM: 'not an address',
      });
      expect(problems).toEqual([
        'TESSERA_SMTP_SECURE must be true or false (got "yes")',
        'TESSERA_SMTP_PORT must be a whole number from 1 to 65535 (got "70000")',
        'TESSERA_SMTP_USER and TESSERA_SMTP_PASSWORD must be set together, or both left unset',
        'TESSERA_EMAIL_FROM must be an address like no-reply@example.com or "Tessera <no-reply@example.com>"',
      ]);
      expect(problemsOf({ ...smtp, TESSERA_SMTP_PORT: '0' })).toHaveLength(1);
      expect(problemsOf({ ...smtp, TESSERA_SMTP_PORT: '25x' })).toHaveLength(1);
      expect(problemsOf({ ...smtp, TESSERA_SMTP_PASSWORD: 'pass' })[0]).toMatch(/^TESSERA_SMTP_USER and/);
    });
  });

  it('reports problems of SMS and e-mail together in one error', () => {
    let error: unknown;
    try {
      loadDeliveryConfig({ TESSERA_SMS_PROVIDER: 'twilio', TESSERA_EMAIL_PROVIDER: 'smtp' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^Invalid configuration:\n {2}- TESSERA_TWILIO_ACCOUNT_SID/);
    expect((error as ConfigError).problems).toHaveLength(5);
  });
});

describe('the variable table', () => {
  it('lists every variable the loader reads, once', () => {
    const names = DELIVERY_ENV_VARS.map((entry) => entry.name);
    expect(new Set(names).size).toBe(names.length);
    const read = new Set<string>();
    for (const env of [
      { TESSERA_SMS_PROVIDER: 'webhook', TESSERA_EMAIL_PROVIDER: 'smtp' },
      { TESSERA_SMS_PROVIDER: 'twilio' },
    ]) {
      const watched = new Proxy<Record<string, string | undefined>>(env, {
        get(target, name) {
          if (typeof name === 'string') read.add(name);
          return typeof name === 'string' ? target[name] : undefined;
        },
      });
      expect(() => loadDeliveryConfig(watched)).toThrow(ConfigError);
    }
    expect([...read].sort()).toEqual([...names].sort());
  });

  it('is the table of the package README, row for row', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Delivery providers'));
    const rows = section
      .split('\n')
      .filter((line) => line.startsWith('| `TESSERA_'))
      .map((line) =>
        line
          .slice(1, -1)
          .split(' | ')
          .map((cell) => cell.trim()),
      )
      .map(([name = '', fallback = '', description = '']) => ({
        name: name.replaceAll('`', ''),
        default: /^`[^`]*`$/.test(fallback) ? fallback.slice(1, -1) : fallback,
        description,
      }));
    expect(rows).toEqual(DELIVERY_ENV_VARS);
  });
});
