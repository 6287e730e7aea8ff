import type { EmailMessage, EmailSender } from '@tessera/core';
import type { Transporter } from 'nodemailer';
import { DeliveryFailedError } from '../delivery-failed-error.js';

export interface SmtpOptions {
  host: string;
  port: number;
  /**
   * true: TLS from the first byte (SMTPS, usually port 465). false: plain connection upgraded
   * with STARTTLS whenever the server offers it (usually port 587 or 25).
   */
  secure: boolean;
  /** Omitted for relays that accept mail without logging in. */
  auth?: { user: string; pass: string };
  /** The From header and envelope sender, e.g. `Tessera <no-reply@example.com>`. */
  from: string;
  /** Upper bound for connecting, the greeting and each later wait on the server. @default 10000 */
  timeoutMs?: number;
}

export const DEFAULT_SMTP_TIMEOUT_MS = 10_000;

/** Sends plain-text e-mail through an SMTP server with nodemailer. */
export function createSmtpEmailSender(options: SmtpOptions): EmailSender {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS;
  // nodemailer (about 650 KB of source, kept in memory once loaded) is loaded by the first
  // e-mail, not at start: a server's memory is mostly the code it loaded.
  let transport: Promise<Transporter> | undefined;
  const openTransport = async (): Promise<Transporter> => {
    const { createTransport } = await import('nodemailer');
    // nodemailer's defaults wait minutes on a dead server; a sign-in waits on this send.
    return createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure,
      ...(options.auth ? { auth: { user: options.auth.user, pass: options.auth.pass } } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  };

  return {
    provider: 'smtp',
    async send(message: EmailMessage): Promise<void> {
      let rejected: unknown[];
      try {
        transport ??= openTransport();
        const info = await (await transport).sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
        });
        rejected = info.rejected ?? [];
      } catch (error) {
        throw smtpError(error);
      }
      // With a single recipient nodemailer already throws on a rejection; this guards the
      // partial-acceptance case so a dropped recipient never passes as delivered.
      if (rejected.length > 0) {
        throw new DeliveryFailedError('smtp', `the server rejected the recipient ${message.to}`);
      }
    },
  };
}

/**
 * nodemailer's errors carry the SMTP reply (e.g. "550 5.1.1 user unknown") or the socket error
 * code; both describe the failure without repeating the message, so they go into the reason.
 */
function smtpError(error: unknown): DeliveryFailedError {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    code?: unknown;
    responseCode?: unknown;
  };
  const reason = typeof fields.message === 'string' ? fields.message : String(error);
  let providerCode: string | number | undefined;
  if (typeof fields.responseCode === 'number') providerCode = fields.responseCode;
  else if (typeof fields.code === 'string') providerCode = fields.code;
  return new DeliveryFailedError('smtp', reason, {
    ...(providerCode === undefined ? {} : { providerCode }),
    cause: error,
  });
}
