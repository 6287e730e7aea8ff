import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The raw body bytes as received, before any parsing. */
  rawBody: Buffer;
}

export type StubHandler = (request: ReceivedRequest, response: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1 and a random port that records requests and answers via `handler`. */
export class HttpStub {
  readonly requests: ReceivedRequest[] = [];
  handler: StubHandler = (_request, response) => {
    response.writeHead(204).end();
  };
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received: ReceivedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          rawBody: Buffer.concat(chunks),
        };
        this.requests.push(received);
        this.handler(received, res);
      });
    });
  }

  static async start(): Promise<HttpStub> {
    const stub = new HttpStub();
    await new Promise<void>((resolve) => stub.server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    // Requests left hanging on purpose (timeout tests) must not keep the server open.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 that nothing listens on: it was free a moment ago and was closed again. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
