import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
/** What a scrape is answered with: one process's registry, or every worker's through the primary. */
export interface MetricsSource {
  exposition(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/**
 * A listener apart from the API (TESSERA_METRICS_PORT), so scrapes never meet the API's rate
 * limits, CORS or TLS, and the figures can stay on an internal address. A bare node:http server
 * is enough for one read-only path.
 */
export async function listenForMetrics(
  metrics: MetricsSource,
  address: { port: number; host: string },
): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: the metrics are at GET /metrics\n');
      return;
    }
    metrics.exposition().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
