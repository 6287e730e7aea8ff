import type { EmailMessage, EmailSender, Logger } from '@tessera/core';

/**
 * Development provider: writes the e-mail to the log instead of sending it.
 *
 * Like the SMS console provider, this is the one place a one-time code may be logged, and only
 * because nothing leaves the machine. Production deployments select `smtp`
 * (TESSERA_EMAIL_PROVIDER); no other provider logs or forwards `message.code`.
 */
export function createConsoleEmailSender(logger: Logger): EmailSender {
  return {
    provider: 'console',
    async send(message: EmailMessage): Promise<void> {
      logger.info(
        {
          delivery: 'email',
          provider: 'console',
          to: message.to,
          subject: message.subject,
          text: message.text,
          code: message.code,
        },
        `E-mail to ${message.to}: ${message.subject}\n${message.text}`,
      );
    },
  };
}
