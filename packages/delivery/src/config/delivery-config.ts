import { type Environment, SettingsReader } from '@tessera/core';
import type { SmtpOptions } from '../email/smtp-email-sender.js';
import type { TwilioSmsOptions } from '../sms/twilio-sms-sender.js';
import type { WebhookSmsOptions } from '../sms/webhook-sms-sender.js';
import {
  type EMAIL_PROVIDERS,
  PROVIDER_SETTINGS,
  type SMS_PROVIDERS,
  SMTP_SETTINGS,
  TWILIO_SETTINGS,
  WEBHOOK_SETTINGS,
} from './delivery-settings.js';

export { EMAIL_PROVIDERS, SMS_PROVIDERS } from './delivery-settings.js';
export type SmsProviderName = (typeof SMS_PROVIDERS)[number];
export type EmailProviderName = (typeof EMAIL_PROVIDERS)[number];

export type SmsConfig =
  | { provider: 'console' }
  | ({ provider: 'webhook' } & Omit<WebhookSmsOptions, 'clock'>)
  | ({ provider: 'twilio' } & TwilioSmsOptions);

export type EmailConfig = { provider: 'console' } | ({ provider: 'smtp' } & SmtpOptions);

/** Which providers send SMS and e-mail, and their settings. delivery-settings.ts declares the variables. */
export interface DeliveryConfig {
  sms: SmsConfig;
  email: EmailConfig;
}

/**
 * Reads and validates the delivery settings. Like loadConfig in @tessera/core, every bad or
 * missing value is reported at once, by variable name, in one ConfigError, so a deployment is
 * fixed in one round. Settings of providers that are not selected are ignored.
 */
export function loadDeliveryConfig(env: Environment): DeliveryConfig {
  const reader = new SettingsReader(env);
  const providers = reader.read(PROVIDER_SETTINGS);
  const sms = readSms(reader, providers.TESSERA_SMS_PROVIDER, providers.TESSERA_SMS_TIMEOUT_MS);
  const email = readEmail(reader, providers.TESSERA_EMAIL_PROVIDER);
  reader.finish();
  return { sms, email };
}

function readSms(reader: SettingsReader, provider: SmsProviderName, timeoutMs: number): SmsConfig {
  switch (provider) {
    case 'console':
      return { provider };
    case 'webhook': {
      const webhook = reader.read(WEBHOOK_SETTINGS);
      return { provider, url: webhook.TESSERA_SMS_WEBHOOK_URL, secret: webhook.TESSERA_SMS_WEBHOOK_SECRET, timeoutMs };
    }
    case 'twilio': {
      const twilio = reader.read(TWILIO_SETTINGS);
      return {
        provider,
        accountSid: twilio.TESSERA_TWILIO_ACCOUNT_SID,
        authToken: twilio.TESSERA_TWILIO_AUTH_TOKEN,
        from: twilio.TESSERA_TWILIO_FROM,
        baseUrl: twilio.TESSERA_TWILIO_BASE_URL,
        timeoutMs,
      };
    }
  }
}

function readEmail(reader: SettingsReader, provider: EmailProviderName): EmailConfig {
  if (provider === 'console') return { provider };
  const smtp = reader.read(SMTP_SETTINGS);
  const secure = smtp.TESSERA_SMTP_SECURE;
  const user = smtp.TESSERA_SMTP_USER;
  const pass = smtp.TESSERA_SMTP_PASSWORD;
  return {
    provider,
    host: smtp.TESSERA_SMTP_HOST,
    // The usual port for each mode, as the setting's `whenUnset` says: 465 for TLS from the
    // start, 587 for submission with STARTTLS.
    port: smtp.TESSERA_SMTP_PORT ?? (secure ? 465 : 587),
    secure,
    from: smtp.TESSERA_EMAIL_FROM,
    timeoutMs: smtp.TESSERA_SMTP_TIMEOUT_MS,
    ...(user !== undefined && pass !== undefined ? { auth: { user, pass } } : {}),
  };
}
