import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { expect } from 'vitest';

export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as it came (what the signature covers). */
  body: string;
  /** The body parsed. */
  payload: { type: string; timestamp: string; data: Record<string, unknown> & { userId: string | null } };
}

/** How the receiver answers one request: a status, or no answer at all (a timeout for the sender). */
export type ReceiverAnswer = number | 'hang';

/**
 * A real HTTP server (node:http) that records every webhook it is sent. Each path answers from
 * its own script of answers (then 204 once the script is used up), so several tests can share
 * one receiver with an endpoint each.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly scripts = new Map<string, ReceiverAnswer[]>();
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | undefined;
  private base = '';

  async start(port = 0): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = request.url ?? '/';
        this.received.push({ path, headers: request.headers, body, payload: JSON.parse(body) });
        const answer = this.scripts.get(path)?.shift() ?? 204;
        if (answer === 'hang') {
          this.hanging.add(response);
          return;
        }
        response.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The URL of `path` on this receiver. */
  url(path: string): string {
    return `${this.base}${path}`;
  }

  /** The answers the next requests to `path` get, in order. */
  script(path: string, answers: ReceiverAnswer[]): void {
    this.scripts.set(path, [...answers]);
  }

  at(path: string): ReceivedWebhook[] {
    return this.received.filter((request) => request.path === path);
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * What a receiver checks, with the spec's own library: one of the `webhook-signature` values is
 * the HMAC under `secret` of `id.timestamp.body`. (`Webhook.verify` does the same and also
 * refuses a timestamp more than five minutes from the real clock, which a test that moves its
 * clock by hours would trip; the test of a first attempt uses `verify` itself.)
 */
export function expectSignedBy(secret: string, request: ReceivedWebhook): void {
  const id = String(request.headers['webhook-id']);
  const timestamp = Number(request.headers['webhook-timestamp']);
  const expected = new Webhook(secret).sign(id, new Date(timestamp * 1000), request.body);
  expect(String(request.headers['webhook-signature']).split(' ')).toContain(expected);
}
