/**
 * Ports through which the core sends codes and notifications. Implementations (console,
 * webhook, Twilio, SMTP) live in @tessera/delivery; the core only knows these shapes.
 * `send` resolves once the provider accepted the message and rejects when it did not: a
 * provider failure must reach the caller, never pass as a success.
 */

export interface SmsMessage {
  /** E.164 phone number, e.g. +359888123456. */
  to: string;
  body: string;
  /**
   * The one-time code the body carries, if any. Only the development `console` provider may
   * write it to the log; every other provider must ignore it.
   */
  code?: string;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /** As for SmsMessage.code. */
  code?: string;
}

export interface SmsSender {
  /** Provider name for logs and health output: `console`, `webhook`, `twilio`. */
  readonly provider: string;
  send(message: SmsMessage): Promise<void>;
}

export interface EmailSender {
  /** Provider name: `console`, `smtp`. */
  readonly provider: string;
  send(message: EmailMessage): Promise<void>;
}

export interface Delivery {
  sms: SmsSender;
  email: EmailSender;
}
