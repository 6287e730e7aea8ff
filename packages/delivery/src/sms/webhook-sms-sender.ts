import { type Clock, type SmsMessage, type SmsSender, systemClock, unixSeconds } from '@tessera/core';
import { DeliveryFailedError } from '../delivery-failed-error.js';
import { DEFAULT_TIMEOUT_MS, post } from '../http/post.js';
import { SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from './webhook-signature.js';

export interface WebhookSmsOptions {
  /** Where to POST; the receiver hands the message to whatever gateway it uses. */
  url: string;
  /** Shared secret of the HMAC signature. */
  secret: string;
  /** @default 5000 */
  timeoutMs?: number;
  clock?: Clock;
}

/**
 * Hands each SMS to an HTTP endpoint of the operator's as signed JSON `{type, to, body}`, so any
 * gateway can be plugged in without Tessera knowing it. `message.code` is not sent separately:
 * the body already carries it for the recipient, and the receiver needs nothing more.
 */
export function createWebhookSmsSender(options: WebhookSmsOptions): SmsSender {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const clock = options.clock ?? systemClock;
  return {
    provider: 'webhook',
    async send(message: SmsMessage): Promise<void> {
      const rawBody = JSON.stringify({ type: 'sms', to: message.to, body: message.body });
      const timestamp = String(unixSeconds(clock.now()));
      const answer = await post('webhook', options.url, {
        headers: {
          'Content-Type': 'application/json',
          [SIGNATURE_HEADER]: signWebhookBody(options.secret, timestamp, rawBody),
          [TIMESTAMP_HEADER]: timestamp,
        },
        body: rawBody,
        timeoutMs,
      });
      // The response body is the receiver's and may echo the request; it stays out of the error.
      if (!answer.ok) {
        throw new DeliveryFailedError('webhook', `the endpoint answered HTTP ${answer.status}`, {
          status: answer.status,
        });
      }
    },
  };
}
