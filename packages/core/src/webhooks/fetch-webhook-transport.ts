import { performance } from 'node:perf_hooks';
import type { WebhookPostResult, WebhookTransport } from './webhook-transport.js';

/**
 * POSTs a delivery with the platform's fetch. A redirect is not followed (it would hand a signed
 * event to a host nobody registered): it counts as a failed attempt like any other non-2xx.
 * The error recorded names what went wrong, never the body.
 */
export const fetchWebhookTransport: WebhookTransport = {
  async post(url, headers, body, timeoutMs): Promise<WebhookPostResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Only the status counts: the body is dropped unread (cancelling it releases the
      // connection), so an endpoint cannot make the server hold a large answer in memory.
      await response.body?.cancel();
      return { kind: 'answered', status: response.status, durationMs: elapsed() };
    } catch (error) {
      return { kind: 'failed', error: describeError(error, timeoutMs), durationMs: elapsed() };
    }
  },
};

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${timeoutMs} ms`;
  // fetch wraps the socket error ("ECONNREFUSED", "ENOTFOUND", ...) in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  return `could not reach the endpoint (${code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))})`;
}
