import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createSecureContext } from 'node:tls';
import { type Config, ConfigError } from '@tessera/core';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './build-app.js';
import { createLogger } from './http/logging.js';
import { reportMetricsToPrimary } from './metrics/cluster-metrics.js';
import { listenForMetrics, type MetricsListener } from './metrics/metrics-listener.js';
import { ServerMetrics } from './metrics/server-metrics.js';
import { openRuntime } from './runtime.js';
import { builtWebUiRoot } from './web-ui/web-ui.plugin.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** The Prometheus scrape address (TESSERA_METRICS_PORT); undefined when it is off. */
  metricsUrl: string | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  /**
   * Where the metrics (when TESSERA_METRICS_PORT is set) are scraped: a listener of this
   * process's own, or, in a cluster worker, the primary's listener, which sums every worker's.
   * @default 'own-listener'
   */
  metricsScrapedBy?: 'own-listener' | 'cluster-primary';
}

/** config → logger → key → database (migrated) → core → HTTP app, listening. */
export async function startServer(
  config: Config,
  logStream?: NodeJS.WritableStream,
  env: Record<string, string | undefined> = process.env,
  options: StartOptions = {},
): Promise<RunningServer> {
  // Before anything is opened or written: a HOST that names no address is a setting to fix.
  await assertHostResolves(config.host);
  // Checked before anything is opened: a wrong path or a key that does not fit fails the start.
  const tls = config.tls ? readTlsFiles(config.tls) : undefined;
  const logger = createLogger(config.logLevel, logStream);
  const metrics = config.metrics ? new ServerMetrics({ version: serverVersion() }) : undefined;
  const ownListener = (options.metricsScrapedBy ?? 'own-listener') === 'own-listener';
  if (metrics && !ownListener) reportMetricsToPrimary(metrics);
  const runtime = await openRuntime(config, logger, env, metrics ? { metrics, storageMetrics: metrics } : {});
  const app = await buildApp({
    core: runtime.core,
    logger,
    dialects: config.dialects,
    corsOrigins: config.corsOrigins,
    pendingMigrations: () => runtime.storage.pendingMigrations(),
    cpanelSecretBits: config.cpanelSecretBits,
    rateLimit: {
      limits: config.rateLimits,
      ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
      whenRedisDown: config.redisWhenDown,
      redisTimeoutMs: config.redisTimeoutMs,
    },
    redisRequired: config.redisRequired,
    connections: config.connections,
    ...(config.trustProxy ? { trustProxy: config.trustProxy } : {}),
    ...(tls ? { tls } : {}),
    ...(config.webUi ? { webUiRoot: builtWebUiRoot() } : {}),
    ...(metrics ? { metrics } : {}),
  });
  // Every server process sends the webhook outbox's due deliveries; leases keep them from sending one twice.
  runtime.core.webhookDispatcher.start();
  app.addHook('onClose', async () => {
    await runtime.core.webhookDispatcher.stop();
    await runtime.close();
  });
  let metricsListener: MetricsListener | undefined;
  try {
    if (metrics && config.metrics && ownListener) metricsListener = await listenForMetrics(metrics, config.metrics);
  } catch (error) {
    await app.close();
    throw error;
  }
  const listener = metricsListener;
  if (listener) app.addHook('onClose', async () => listener.close());
  const url = await app.listen({ port: config.port, host: config.host });
  return { app, url, metricsUrl: listener?.url, close: () => app.close() };
}

/** The version in the server package's manifest, for tessera_build_info. */
function serverVersion(): string {
  const manifest = createRequire(import.meta.url)('../package.json') as { version: string };
  return manifest.version;
}

/**
 * Fastify resolves a host name itself when it listens, and a name that does not resolve is then
 * thrown from a DNS callback, out of reach of the caller: the process dies with a stack trace
 * instead of a line naming HOST. Resolving it first turns that into an ordinary rejection.
 */
export async function assertHostResolves(host: string): Promise<void> {
  try {
    await lookup(host);
  } catch (cause) {
    const { code } = cause as NodeJS.ErrnoException;
    throw Object.assign(
      new Error(`HOST "${host}" does not resolve to an address (${code ?? 'lookup failed'})`, { cause }),
      {
        code,
        syscall: 'getaddrinfo',
        hostname: host,
      },
    );
  }
}

/** The certificate and key files, or a ConfigError naming the setting whose file cannot be read. */
function readTlsFiles(tls: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const read = (setting: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ConfigError([`${setting}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`]);
    }
  };
  const files = { cert: read('TESSERA_TLS_CERT', tls.certFile), key: read('TESSERA_TLS_KEY', tls.keyFile) };
  try {
    createSecureContext(files);
  } catch (error) {
    throw new ConfigError([
      `TESSERA_TLS_CERT and TESSERA_TLS_KEY: not a PEM certificate and its private key (${(error as Error).message})`,
    ]);
  }
  return files;
}
