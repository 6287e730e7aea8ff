/** What came back from one POST to an endpoint. */
export type WebhookPostResult =
  | { kind: 'answered'; status: number; durationMs: number }
  | { kind: 'failed'; error: string; durationMs: number };

/** How a delivery reaches its endpoint (HTTP in production: packages/delivery). */
export interface WebhookTransport {
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<WebhookPostResult>;
}
