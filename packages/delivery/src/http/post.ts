import { DeliveryFailedError } from '../delivery-failed-error.js';

/** How long an HTTP provider may take before the send fails, unless configured otherwise. */
export const DEFAULT_TIMEOUT_MS = 5_000;

export interface HttpAnswer {
  status: number;
  ok: boolean;
  /** The response body as text; read in full so the connection is released. */
  text: string;
}

/**
 * POSTs `body` and returns the answer, whatever its status: the caller decides what a non-2xx
 * means for its provider. A network error or the timeout becomes a DeliveryFailedError here so
 * that every HTTP provider reports them the same way. The reason names the URL's origin only,
 * never the body, which holds the code.
 */
export async function post(
  provider: string,
  url: string,
  init: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<HttpAnswer> {
  const origin = safeOrigin(url);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: init.headers,
      body: init.body,
      // Following a redirect would hand the body, code included, to a host nobody configured.
      redirect: 'error',
      signal: AbortSignal.timeout(init.timeoutMs),
    });
  } catch (error) {
    throw new DeliveryFailedError(provider, describeFetchError(error, origin, init.timeoutMs), { cause: error });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new DeliveryFailedError(provider, describeFetchError(error, origin, init.timeoutMs), {
      status: response.status,
      cause: error,
    });
  }
  return { status: response.status, ok: response.ok, text };
}

function describeFetchError(error: unknown, origin: string, timeoutMs: number): string {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer from ${origin} within ${timeoutMs} ms`;
  }
  // fetch wraps the socket error ("ECONNREFUSED", "ENOTFOUND", ...) in `cause`.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  const detail = code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `could not reach ${origin} (${detail})`;
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the configured URL';
  }
}
