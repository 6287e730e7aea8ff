import { describe, expect, it } from 'vitest';
import { loadDeliveryConfig } from './config/delivery-config.js';
import { createDelivery } from './create-delivery.js';
import { CaptureLogger } from './test-support/capture-logger.js';
import { HttpStub } from './test-support/http-stub.js';
import { SmtpSink } from './test-support/smtp-sink.js';

describe('createDelivery', () => {
  it('defaults to the console providers and warns that codes go to the log', async () => {
    const logger = new CaptureLogger();
    const delivery = createDelivery(loadDeliveryConfig({}), logger);
    expect(delivery.sms.provider).toBe('console');
    expect(delivery.email.provider).toBe('console');
    expect(logger.entries.map((entry) => entry.level)).toEqual(['warn', 'warn']);
    expect(logger.entries[0]?.msg).toContain('TESSERA_SMS_PROVIDER');
    expect(logger.entries[1]?.msg).toContain('TESSERA_EMAIL_PROVIDER');

    await delivery.sms.send({ to: '+14155550100', body: 'code 123456', code: '123456' });
    expect(logger.entries.at(-1)).toMatchObject({ level: 'info', msg: 'SMS to +14155550100: code 123456' });
  });

  it('wires the configured webhook and SMTP providers end to end, logging nothing', async () => {
    const stub = await HttpStub.start();
    const sink = await SmtpSink.start();
    try {
      const logger = new CaptureLogger();
      const delivery = createDelivery(
        loadDeliveryConfig({
          TESSERA_SMS_PROVIDER: 'webhook',
          TESSERA_SMS_WEBHOOK_URL: `${stub.url}/sms`,
          TESSERA_SMS_WEBHOOK_SECRET: 'a-long-enough-shared-secret',
          TESSERA_EMAIL_PROVIDER: 'smtp',
          TESSERA_SMTP_HOST: '127.0.0.1',
          TESSERA_SMTP_PORT: String(sink.port),
          TESSERA_EMAIL_FROM: 'no-reply@tessera.test',
        }),
        logger,
      );
      expect(delivery.sms.provider).toBe('webhook');
      expect(delivery.email.provider).toBe('smtp');

      await delivery.sms.send({ to: '+14155550100', body: 'Your code is 777111', code: '777111' });
      await delivery.email.send({
        to: 'bob@example.com',
        subject: 'Code',
        text: 'Your code is 777222',
        code: '777222',
      });

      expect(stub.requests).toHaveLength(1);
      expect(stub.requests[0]?.url).toBe('/sms');
      expect(sink.received.map((mail) => mail.rcptTo)).toEqual([['bob@example.com']]);
      expect(logger.entries).toEqual([]);
    } finally {
      await stub.close();
      await sink.close();
    }
  });
});
