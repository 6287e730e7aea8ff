import cluster from 'node:cluster';
import { loadConfig } from '@tessera/core';
import { startServer } from '@tessera/server';
import type { CliIo } from '../cli-context.js';
import { superviseWorkers } from './workers.js';

/**
 * Starts the server and stops it cleanly on SIGINT/SIGTERM; with TESSERA_WORKERS > 1, starts
 * that many (see workers.ts), each of which runs this same command as a cluster worker.
 */
export async function serveCommand(io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  if (config.workers > 1 && cluster.isPrimary) return superviseWorkers(config, io);
  const server = await startServer(config, undefined, undefined, {
    metricsScrapedBy: cluster.isWorker ? 'cluster-primary' : 'own-listener',
  });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // Fastify's close stops accepting connections and waits for the requests in flight.
  server.app.log.info({ signal }, 'shutting down: finishing the requests in flight');
  await server.close();
  server.app.log.info('stopped');
  // A cluster worker's channel to its primary would keep the process alive.
  if (cluster.isWorker) process.disconnect?.();
  return 0;
}
