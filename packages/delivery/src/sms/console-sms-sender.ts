import type { Logger, SmsMessage, SmsSender } from '@tessera/core';

/**
 * Development provider: instead of sending, writes the message to the log so a developer can
 * read the code there.
 *
 * This is the ONE place in Tessera where a one-time code may be logged, and only because no real
 * message leaves the machine. Every other provider must never log or forward `message.code`.
 * Production deployments select `webhook` or `twilio` (TESSERA_SMS_PROVIDER).
 */
export function createConsoleSmsSender(logger: Logger): SmsSender {
  return {
    provider: 'console',
    async send(message: SmsMessage): Promise<void> {
      logger.info(
        { delivery: 'sms', provider: 'console', to: message.to, body: message.body, code: message.code },
        `SMS to ${message.to}: ${message.body}`,
      );
    },
  };
}
