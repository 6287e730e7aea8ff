import { Setting, settingsGroup } from '@tessera/core';
import { DEFAULT_SMTP_TIMEOUT_MS } from '../email/smtp-email-sender.js';
import { DEFAULT_TIMEOUT_MS } from '../http/post.js';
import { TWILIO_DEFAULT_BASE_URL } from '../sms/twilio-sms-sender.js';

export const SMS_PROVIDERS = ['console', 'webhook', 'twilio'] as const;
export const EMAIL_PROVIDERS = ['console', 'smtp'] as const;

// An HMAC key much shorter than this is guessable offline from one signed request.
const MIN_WEBHOOK_SECRET_LENGTH = 16;
const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
// An E.164 number, a Messaging Service SID, or one of Twilio's alphanumeric sender IDs (up to 11
// letters, digits and spaces, at least one letter).
const TWILIO_SENDER = /^(?:\+[1-9]\d{1,14}|MG[0-9a-fA-F]{32}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/;
// `user@host` or `Name <user@host>`; the SMTP server has the final word on the address.
const FROM_ADDRESS = /^(?:[^<>@\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

/*
 * Every environment variable of the delivery providers, with its default, bounds and meaning.
 * loadDeliveryConfig reads these; the READMEs and docs/configuration.md are generated from them
 * (`npm run docs:config`). The settings of a provider are read only when it is selected.
 */

export const PROVIDER_SETTINGS = settingsGroup(
  { title: 'Providers' },
  {
    TESSERA_SMS_PROVIDER: Setting.oneOf(SMS_PROVIDERS, {
      description:
        'service that sends SMS; `console` only writes each message, code included, to the log: development only',
      default: 'console',
    }),
    TESSERA_EMAIL_PROVIDER: Setting.oneOf(EMAIL_PROVIDERS, {
      description: 'service that sends e-mail; `console` only writes each message to the log: development only',
      default: 'console',
    }),
    TESSERA_SMS_TIMEOUT_MS: Setting.integer({
      description:
        'milliseconds the `webhook` or `twilio` SMS provider may take to answer; past it the send fails (502 `DELIVERY_FAILED`) and no code counts as sent',
      default: DEFAULT_TIMEOUT_MS,
      minimum: 100,
      maximum: 120_000,
    }),
  },
);

export const WEBHOOK_SETTINGS = settingsGroup(
  { title: 'SMS: webhook', provider: { variable: 'TESSERA_SMS_PROVIDER', value: 'webhook' } },
  {
    TESSERA_SMS_WEBHOOK_URL: Setting.text({
      description: 'URL that receives one POST per message',
      format: 'http-url',
    }),
    TESSERA_SMS_WEBHOOK_SECRET: Setting.text({
      description: 'shared secret of the request signature',
      minLength: MIN_WEBHOOK_SECRET_LENGTH,
    }),
  },
);

export const TWILIO_SETTINGS = settingsGroup(
  { title: 'SMS: twilio', provider: { variable: 'TESSERA_SMS_PROVIDER', value: 'twilio' } },
  {
    TESSERA_TWILIO_ACCOUNT_SID: Setting.text({
      description: 'Account SID',
      match: { pattern: ACCOUNT_SID, allowed: '"AC" followed by 32 hex digits' },
    }),
    TESSERA_TWILIO_AUTH_TOKEN: Setting.text({ description: 'Auth Token' }),
    TESSERA_TWILIO_FROM: Setting.text({
      description: 'sender of the messages',
      match: {
        pattern: TWILIO_SENDER,
        allowed:
          'an E.164 number (+14155550100), a Messaging Service SID (MG...) or an alphanumeric sender ID of up to 11 characters',
      },
    }),
    TESSERA_TWILIO_BASE_URL: Setting.text({
      description: 'API base URL, for a regional edge or a compatible gateway',
      default: TWILIO_DEFAULT_BASE_URL,
      format: 'http-url',
    }),
  },
);

export const SMTP_SETTINGS = settingsGroup(
  { title: 'E-mail: smtp', provider: { variable: 'TESSERA_EMAIL_PROVIDER', value: 'smtp' } },
  {
    TESSERA_SMTP_HOST: Setting.text({ description: 'server host name' }),
    // Before the port: the port's default depends on it.
    TESSERA_SMTP_SECURE: Setting.flag({
      description:
        '`true` for TLS from the first byte (SMTPS); `false` connects in plain text and upgrades with STARTTLS whenever the server offers it',
      default: false,
    }),
    TESSERA_SMTP_PORT: Setting.optional(
      Setting.integer({ description: 'server port', whenUnset: '587 (465 when secure)', minimum: 1, maximum: 65535 }),
    ),
    TESSERA_SMTP_USER: Setting.optional(
      Setting.text({
        description: 'login name; set it together with the password, or neither for a relay that needs no login',
      }),
    ),
    // A half-configured login would silently send unauthenticated, or not at all.
    TESSERA_SMTP_PASSWORD: Setting.optional(
      Setting.text({
        description: 'login password, taken as given, spaces included',
        verbatim: true,
        setTogetherWith: 'TESSERA_SMTP_USER',
      }),
    ),
    TESSERA_SMTP_TIMEOUT_MS: Setting.integer({
      description:
        'milliseconds the SMTP server may take to accept the connection, to greet, and for each later answer; past it the send fails (502 `DELIVERY_FAILED`) and no code counts as sent',
      default: DEFAULT_SMTP_TIMEOUT_MS,
      minimum: 100,
      maximum: 120_000,
    }),
    TESSERA_EMAIL_FROM: Setting.text({
      description: 'sender address',
      match: {
        pattern: FROM_ADDRESS,
        allowed: 'an address like no-reply@example.com or "Tessera <no-reply@example.com>"',
      },
    }),
  },
);

/** The delivery settings in the order they are checked and documented. */
export const DELIVERY_SETTINGS = [PROVIDER_SETTINGS, WEBHOOK_SETTINGS, TWILIO_SETTINGS, SMTP_SETTINGS] as const;
