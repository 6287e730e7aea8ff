import { Webhook } from 'standardwebhooks';

/** The headers of one delivery, per the Standard Webhooks specification. */
export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  /** `v1,<signature>` for every live secret, space-separated (several while a secret is rotated). */
  'webhook-signature': string;
}

/**
 * Signs a delivery with each secret given (the spec's own library computes each
 * `v1,base64(HMAC-SHA256(secret, "id.timestamp.body"))`).
 */
export function signWebhook(
  secrets: readonly string[],
  messageId: string,
  timestamp: Date,
  body: string,
): WebhookHeaders {
  if (secrets.length === 0) throw new Error('an endpoint without a secret cannot be signed for');
  const signatures = secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body));
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
