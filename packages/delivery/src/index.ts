export {
  type DeliveryConfig,
  EMAIL_PROVIDERS,
  type EmailConfig,
  type EmailProviderName,
  loadDeliveryConfig,
  SMS_PROVIDERS,
  type SmsConfig,
  type SmsProviderName,
} from './config/delivery-config.js';
export { DELIVERY_ENV_VARS, type DeliveryEnvVar } from './config/delivery-env.js';
export {
  DELIVERY_SETTINGS,
  PROVIDER_SETTINGS,
  SMTP_SETTINGS,
  TWILIO_SETTINGS,
  WEBHOOK_SETTINGS,
} from './config/delivery-settings.js';
export { createDelivery } from './create-delivery.js';
export { DeliveryFailedError, isDeliveryFailedError } from './delivery-failed-error.js';
export { createConsoleEmailSender } from './email/console-email-sender.js';
export { createSmtpEmailSender, type SmtpOptions } from './email/smtp-email-sender.js';
export { DEFAULT_TIMEOUT_MS } from './http/post.js';
export { createConsoleSmsSender } from './sms/console-sms-sender.js';
export { createTwilioSmsSender, TWILIO_DEFAULT_BASE_URL, type TwilioSmsOptions } from './sms/twilio-sms-sender.js';
export {
  SIGNATURE_HEADER,
  signWebhookBody,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from './sms/webhook-signature.js';
export { createWebhookSmsSender, type WebhookSmsOptions } from './sms/webhook-sms-sender.js';
