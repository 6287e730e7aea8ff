import { randomBytes } from 'node:crypto';

/** The prefix Standard Webhooks gives a signing secret; the rest is the key in base64. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` and 32 random bytes in base64 (the spec asks for 24 to 64). */
export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The GCM additional data of a sealed webhook secret: bound to its row. */
export function webhookSecretSealContext(secretId: string): string {
  return `webhook_secret:${secretId}`;
}
