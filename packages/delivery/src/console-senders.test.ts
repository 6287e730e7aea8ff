import { describe, expect, it } from 'vitest';
import { createConsoleEmailSender } from './email/console-email-sender.js';
import { createConsoleSmsSender } from './sms/console-sms-sender.js';
import { CaptureLogger } from './test-support/capture-logger.js';

describe('console providers (development)', () => {
  it('log an SMS at info level with the recipient and the text, code included', async () => {
    const logger = new CaptureLogger();
    const sender = createConsoleSmsSender(logger);
    expect(sender.provider).toBe('console');

    await sender.send({ to: '+359888123456', body: 'Your Tessera code is 314159', code: '314159' });

    expect(logger.entries).toHaveLength(1);
    const [entry] = logger.entries;
    expect(entry?.level).toBe('info');
    expect(entry?.msg).toBe('SMS to +359888123456: Your Tessera code is 314159');
    expect(entry?.obj).toMatchObject({ delivery: 'sms', provider: 'console', to: '+359888123456', code: '314159' });
  });

  it('log an e-mail at info level with the recipient, subject and text, code included', async () => {
    const logger = new CaptureLogger();
    const sender = createConsoleEmailSender(logger);
    expect(sender.provider).toBe('console');

    await sender.send({
      to: 'alice@example.com',
      subject: 'Sign-in code',
      text: 'Your code is 271828.',
      code: '271828',
    });

    expect(logger.entries).toHaveLength(1);
    const [entry] = logger.entries;
    expect(entry?.level).toBe('info');
    expect(entry?.msg).toContain('alice@example.com');
    expect(entry?.msg).toContain('Sign-in code');
    expect(entry?.msg).toContain('Your code is 271828.');
    expect(entry?.obj).toMatchObject({
      delivery: 'email',
      provider: 'console',
      to: 'alice@example.com',
      code: '271828',
    });
  });

  it('log messages that carry no code as well', async () => {
    const logger = new CaptureLogger();
    await createConsoleSmsSender(logger).send({ to: '+14155550100', body: 'A new device signed in.' });
    expect(logger.entries[0]?.msg).toBe('SMS to +14155550100: A new device signed in.');
  });
});
