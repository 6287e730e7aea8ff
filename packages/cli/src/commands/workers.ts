import cluster, { type Worker } from 'node:cluster';
import type { Config } from '@tessera/core';
import { clusterMetricsSource, createLogger, listenForMetrics, openRuntime } from '@tessera/server';
import type { CliIo } from '../cli-context.js';

/**
 * `tessera serve` with TESSERA_WORKERS > 1: this process starts that many server processes
 * (node:cluster), which share the port, and supervises them. Every property that holds across
 * processes holds here (the lockout and the used step are in the database, not in memory);
 * what one process remembers alone is listed in docs/security.md.
 *
 * The key file and the schema are settled here first, once, so that the workers do not race to
 * make them. A worker that dies while serving is replaced; one that dies before it ever listened
 * (a port in use, say) fails the start. SIGTERM or SIGINT is passed on to every worker, each
 * finishes its requests in flight, and this process ends when the last one has.
 *
 * With TESSERA_METRICS_PORT set, the metrics listener is this process's: each scrape sums every
 * worker's figures (see clusterMetricsSource), so one scrape shows the whole server.
 */
export async function superviseWorkers(config: Config, io: CliIo): Promise<number> {
  const logger = createLogger(config.logLevel);
  const runtime = await openRuntime(config, logger, io.env);
  await runtime.close();
  const metricsListener = config.metrics ? await listenForMetrics(clusterMetricsSource(), config.metrics) : undefined;
  if (metricsListener) logger.info({ url: metricsListener.url }, 'metrics listening (every worker, summed)');

  let stopping = false;
  const listened = new WeakSet<Worker>();
  const fork = () => cluster.fork(io.env);
  cluster.on('listening', (worker) => listened.add(worker));

  const outcome = new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals | 'start failed', code: number) => {
      if (stopping) return;
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
      logger.info({ signal, workers: workers.length }, 'shutting down: each worker finishes its requests in flight');
      Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((done) => {
              worker.once('exit', () => done());
              worker.process.kill('SIGTERM');
            }),
        ),
      )
        .then(() => metricsListener?.close())
        .then(() => {
          logger.info('stopped');
          resolve(code);
        });
    };
    process.once('SIGINT', () => stop('SIGINT', 0));
    process.once('SIGTERM', () => stop('SIGTERM', 0));
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) return;
      if (!listened.has(worker)) {
        logger.error({ pid: worker.process.pid, code }, 'a worker failed to start');
        stop('start failed', 1);
        return;
      }
      logger.error({ pid: worker.process.pid, code, signal }, 'a worker stopped; starting another');
      fork();
    });
  });

  for (let i = 0; i < config.workers; i++) fork();
  logger.info({ workers: config.workers, port: config.port }, 'started the workers');
  return outcome;
}
