/**
 * Checks a webhook Tessera sent, per the Standard Webhooks specification, with WebCrypto only:
 * it runs in Node 20 and in browsers (and in edge runtimes), and adds no dependency to the SDK.
 * Written here rather than taken from the `standardwebhooks` package because that one pulls in
 * two libraries the SDK's "fetch only" promise leaves out; test/client/webhooks.test.ts checks
 * it against that package's own signatures.
 */

/** A webhook's body once verified: what happened, when, and to whom. */
export interface WebhookEvent {
  type: string;
  timestamp: string;
  data: Record<string, unknown> & { userId: string | null };
}

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/** Header values as Node's `IncomingHttpHeaders`, a plain object, or a fetch `Headers`. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** How far the `webhook-timestamp` may be from now, either way. @default 300 */
  toleranceSeconds?: number;
  /** @default the current time */
  now?: Date;
}

const SECRET_PREFIX = 'whsec_';

/**
 * Verifies the raw body (exactly the bytes received, before any JSON parsing) and the headers
 * of a delivery under the endpoint's secret, or any of several (a receiver switching to a rotated
 * secret), and returns the parsed event. Throws WebhookVerificationError when a header is
 * missing, the timestamp is too old or too new (a replay), or no signature matches.
 */
export async function verifyWebhook(
  secret: string | readonly string[],
  body: string | Uint8Array,
  headers: WebhookHeaders,
  options: VerifyWebhookOptions = {},
): Promise<WebhookEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('Missing webhook headers');
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(seconds))
    throw new WebhookVerificationError('Invalid webhook-timestamp');
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (now - seconds > tolerance) throw new WebhookVerificationError('Message timestamp too old');
  if (seconds - now > tolerance) throw new WebhookVerificationError('Message timestamp too new');
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const signed = concat(new TextEncoder().encode(`${id}.${timestamp}.`), bytes);
  const given = signatures
    .split(' ')
    .filter((value) => value.startsWith('v1,'))
    .map((value) => value.slice(3));
  for (const candidate of typeof secret === 'string' ? [secret] : secret) {
    const expected = toBase64(await hmacSha256(secretKey(candidate), signed));
    if (given.some((signature) => constantTimeEqual(signature, expected)))
      return JSON.parse(new TextDecoder().decode(bytes)) as WebhookEvent;
  }
  throw new WebhookVerificationError('No matching signature found');
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

function secretKey(secret: string): Uint8Array<ArrayBuffer> {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  let binary: string;
  try {
    binary = atob(encoded);
  } catch {
    throw new WebhookVerificationError('The secret is not a whsec_ secret');
  }
  if (binary.length === 0) throw new WebhookVerificationError('The secret is empty');
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

async function hmacSha256(key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const cryptoKey = await globalThis.crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  return new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', cryptoKey, data));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Compares without stopping at the first difference, so the time taken tells nothing of the signature. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
