/** One environment variable of the delivery settings, for README tables and `--help` output. */
export interface DeliveryEnvVar {
  name: string;
  /** The value used when the variable is unset, as shown to operators. */
  default: string;
  description: string;
}

/**
 * Every variable loadDeliveryConfig reads, in the order an operator sets them. A test keeps this
 * table, loadDeliveryConfig and the README in step.
 */
export const DELIVERY_ENV_VARS: readonly DeliveryEnvVar[] = [
  {
    name: 'TESSERA_SMS_PROVIDER',
    default: 'console',
    description: '`console`, `webhook` or `twilio`',
  },
  {
    name: 'TESSERA_SMS_WEBHOOK_URL',
    default: 'unset',
    description: 'webhook: http(s) URL that receives one POST per message',
  },
  {
    name: 'TESSERA_SMS_WEBHOOK_SECRET',
    default: 'unset',
    description: 'webhook: shared secret of the request signature, 16 characters or more',
  },
  {
    name: 'TESSERA_TWILIO_ACCOUNT_SID',
    default: 'unset',
    description: 'twilio: Account SID (`AC` and 32 hex digits)',
  },
  {
    name: 'TESSERA_TWILIO_AUTH_TOKEN',
    default: 'unset',
    description: 'twilio: Auth Token',
  },
  {
    name: 'TESSERA_TWILIO_FROM',
    default: 'unset',
    description:
      'twilio: sender, an E.164 number (`+14155550100`), an alphanumeric sender ID (up to 11 characters), or a Messaging Service SID (`MG...`, sent as `MessagingServiceSid`)',
  },
  {
    name: 'TESSERA_TWILIO_BASE_URL',
    default: 'https://api.twilio.com',
    description: 'twilio: API base URL, for a regional edge or a compatible gateway',
  },
  {
    name: 'TESSERA_EMAIL_PROVIDER',
    default: 'console',
    description: '`console` or `smtp`',
  },
  {
    name: 'TESSERA_SMTP_HOST',
    default: 'unset',
    description: 'smtp: server host name',
  },
  {
    name: 'TESSERA_SMTP_PORT',
    default: '587 (465 when secure)',
    description: 'smtp: server port',
  },
  {
    name: 'TESSERA_SMTP_SECURE',
    default: 'false',
    description:
      'smtp: `true` for TLS from the first byte (SMTPS); `false` connects in plain text and upgrades with STARTTLS whenever the server offers it',
  },
  {
    name: 'TESSERA_SMTP_USER',
    default: 'unset',
    description: 'smtp: login name; set it together with the password, or neither for a relay that needs no login',
  },
  {
    name: 'TESSERA_SMTP_PASSWORD',
    default: 'unset',
    description: 'smtp: login password',
  },
  {
    name: 'TESSERA_EMAIL_FROM',
    default: 'unset',
    description: 'smtp: sender, `no-reply@example.com` or `Tessera <no-reply@example.com>`',
  },
];
