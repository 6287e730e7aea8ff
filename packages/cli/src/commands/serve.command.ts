import { loadConfig } from '@tessera/core';
import { startServer } from '@tessera/server';
import type { CliIo } from '../cli-context.js';

/** Starts the server and stops it cleanly on SIGINT/SIGTERM. */
export async function serveCommand(io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const server = await startServer(config);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // Fastify's close stops accepting connections and waits for the requests in flight.
  server.app.log.info({ signal }, 'shutting down: finishing the requests in flight');
  await server.close();
  server.app.log.info('stopped');
  return 0;
}
