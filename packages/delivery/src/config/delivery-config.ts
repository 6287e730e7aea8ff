import { ConfigError } from '@tessera/core';
import type { SmtpOptions } from '../email/smtp-email-sender.js';
import { TWILIO_DEFAULT_BASE_URL, type TwilioSmsOptions } from '../sms/twilio-sms-sender.js';
import type { WebhookSmsOptions } from '../sms/webhook-sms-sender.js';

export const SMS_PROVIDERS = ['console', 'webhook', 'twilio'] as const;
export const EMAIL_PROVIDERS = ['console', 'smtp'] as const;
export type SmsProviderName = (typeof SMS_PROVIDERS)[number];
export type EmailProviderName = (typeof EMAIL_PROVIDERS)[number];

export type SmsConfig =
  | { provider: 'console' }
  | ({ provider: 'webhook' } & Omit<WebhookSmsOptions, 'clock'>)
  | ({ provider: 'twilio' } & TwilioSmsOptions);

export type EmailConfig = { provider: 'console' } | ({ provider: 'smtp' } & SmtpOptions);

/** Which providers send SMS and e-mail, and their settings. README.md lists the variables. */
export interface DeliveryConfig {
  sms: SmsConfig;
  email: EmailConfig;
}

// An HMAC key much shorter than this is guessable offline from one signed request.
const MIN_WEBHOOK_SECRET_LENGTH = 16;
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const E164 = /^\+[1-9]\d{1,14}$/;
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
// Twilio's alphanumeric sender IDs: up to 11 letters, digits and spaces, at least one letter.
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
// `user@host` or `Name <user@host>`; the SMTP server has the final word on the address.
const FROM_ADDRESS = /^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

/**
 * Reads and validates the delivery settings. Like loadConfig in @tessera/core, every bad or
 * missing value is reported at once, by variable name, in one ConfigError, so a deployment is
 * fixed in one round. Settings of providers that are not selected are ignored.
 */
export function loadDeliveryConfig(env: Record<string, string | undefined>): DeliveryConfig {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const required = (name: string, provider: string): string => {
    const raw = value(name);
    if (raw === undefined) problems.push(`${name} is required when the ${provider} provider is selected`);
    return raw ?? '';
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = value(name) ?? fallback;
    if (allowed.includes(raw as T)) return raw as T;
    problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return fallback;
  };
  const httpUrl = (name: string, raw: string): void => {
    if (raw === '') return;
    if (!isHttpUrl(raw)) problems.push(`${name} must be an http:// or https:// URL`);
  };

  let sms: SmsConfig = { provider: 'console' };
  const smsProvider = oneOf('TESSERA_SMS_PROVIDER', SMS_PROVIDERS, 'console');
  if (smsProvider === 'webhook') {
    const url = required('TESSERA_SMS_WEBHOOK_URL', 'webhook');
    httpUrl('TESSERA_SMS_WEBHOOK_URL', url);
    const secret = required('TESSERA_SMS_WEBHOOK_SECRET', 'webhook');
    if (secret !== '' && secret.length < MIN_WEBHOOK_SECRET_LENGTH) {
      problems.push(`TESSERA_SMS_WEBHOOK_SECRET must be at least ${MIN_WEBHOOK_SECRET_LENGTH} characters long`);
    }
    sms = { provider: 'webhook', url, secret };
  } else if (smsProvider === 'twilio') {
    const accountSid = required('TESSERA_TWILIO_ACCOUNT_SID', 'twilio');
    if (accountSid !== '' && !ACCOUNT_SID.test(accountSid)) {
      problems.push('TESSERA_TWILIO_ACCOUNT_SID must be "AC" followed by 32 hex digits');
    }
    const authToken = required('TESSERA_TWILIO_AUTH_TOKEN', 'twilio');
    const from = required('TESSERA_TWILIO_FROM', 'twilio');
    if (from !== '' && !E164.test(from) && !MESSAGING_SERVICE_SID.test(from) && !ALPHANUMERIC_SENDER.test(from)) {
      problems.push(
        'TESSERA_TWILIO_FROM must be an E.164 number (+14155550100), a Messaging Service SID (MG...) or an alphanumeric sender ID of up to 11 characters',
      );
    }
    const baseUrl = value('TESSERA_TWILIO_BASE_URL') ?? TWILIO_DEFAULT_BASE_URL;
    httpUrl('TESSERA_TWILIO_BASE_URL', baseUrl);
    sms = { provider: 'twilio', accountSid, authToken, from, baseUrl };
  }

  let email: EmailConfig = { provider: 'console' };
  const emailProvider = oneOf('TESSERA_EMAIL_PROVIDER', EMAIL_PROVIDERS, 'console');
  if (emailProvider === 'smtp') {
    const host = required('TESSERA_SMTP_HOST', 'smtp');

    let secure = false;
    const secureRaw = value('TESSERA_SMTP_SECURE');
    if (secureRaw === 'true') secure = true;
    else if (secureRaw !== undefined && secureRaw !== 'false') {
      problems.push(`TESSERA_SMTP_SECURE must be true or false (got "${secureRaw}")`);
    }

    // The usual port for each mode: 465 for TLS from the start, 587 for submission with STARTTLS.
    let port = secure ? 465 : 587;
    const portRaw = value('TESSERA_SMTP_PORT');
    if (portRaw !== undefined) {
      if (/^\d+$/.test(portRaw) && Number(portRaw) >= 1 && Number(portRaw) <= 65535) port = Number(portRaw);
      else problems.push(`TESSERA_SMTP_PORT must be a whole number from 1 to 65535 (got "${portRaw}")`);
    }

    // A half-configured login would silently send unauthenticated, or not at all.
    const user = value('TESSERA_SMTP_USER');
    const pass = env.TESSERA_SMTP_PASSWORD === '' ? undefined : env.TESSERA_SMTP_PASSWORD;
    if ((user === undefined) !== (pass === undefined)) {
      problems.push('TESSERA_SMTP_USER and TESSERA_SMTP_PASSWORD must be set together, or both left unset');
    }

    const from = required('TESSERA_EMAIL_FROM', 'smtp');
    if (from !== '' && !FROM_ADDRESS.test(from)) {
      problems.push(
        'TESSERA_EMAIL_FROM must be an address like no-reply@example.com or "Tessera <no-reply@example.com>"',
      );
    }

    email = {
      provider: 'smtp',
      host,
      port,
      secure,
      from,
      ...(user !== undefined && pass !== undefined ? { auth: { user, pass } } : {}),
    };
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return { sms, email };
}

function isHttpUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
