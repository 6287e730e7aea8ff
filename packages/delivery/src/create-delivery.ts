import type { Delivery, EmailSender, Logger, SmsSender } from '@tessera/core';
import type { DeliveryConfig, EmailConfig, SmsConfig } from './config/delivery-config.js';
import { createConsoleEmailSender } from './email/console-email-sender.js';
import { createSmtpEmailSender } from './email/smtp-email-sender.js';
import { createConsoleSmsSender } from './sms/console-sms-sender.js';
import { createTwilioSmsSender } from './sms/twilio-sms-sender.js';
import { createWebhookSmsSender } from './sms/webhook-sms-sender.js';

/**
 * Builds the senders the configuration selects. A console provider is announced with a warning
 * at startup, because it puts codes into the log and must not go unnoticed in production; a
 * command-line run that sends nothing passes `announceConsole: false`, since the warning would
 * only be noise there.
 */
export function createDelivery(
  config: DeliveryConfig,
  logger: Logger,
  options: { announceConsole?: boolean } = {},
): Delivery {
  const delivery: Delivery = {
    sms: createSmsSender(config.sms, logger),
    email: createEmailSender(config.email, logger),
  };
  const announce = options.announceConsole ?? true;
  if (announce && config.sms.provider === 'console') {
    logger.warn(
      { delivery: 'sms', provider: 'console' },
      'SMS are written to the log, not sent (development only): set TESSERA_SMS_PROVIDER',
    );
  }
  if (announce && config.email.provider === 'console') {
    logger.warn(
      { delivery: 'email', provider: 'console' },
      'E-mails are written to the log, not sent (development only): set TESSERA_EMAIL_PROVIDER',
    );
  }
  return delivery;
}

function createSmsSender(config: SmsConfig, logger: Logger): SmsSender {
  switch (config.provider) {
    case 'console':
      return createConsoleSmsSender(logger);
    case 'webhook':
      return createWebhookSmsSender(config);
    case 'twilio':
      return createTwilioSmsSender(config);
  }
}

function createEmailSender(config: EmailConfig, logger: Logger): EmailSender {
  switch (config.provider) {
    case 'console':
      return createConsoleEmailSender(logger);
    case 'smtp':
      return createSmtpEmailSender(config);
  }
}
