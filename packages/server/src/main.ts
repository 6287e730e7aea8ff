import type { Config } from '@tessera/core';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './build-app.js';
import { createLogger } from './http/logging.js';
import { openRuntime } from './runtime.js';
import { builtWebUiRoot } from './web-ui/web-ui.plugin.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** config → logger → key → database (migrated) → core → HTTP app, listening. */
export async function startServer(
  config: Config,
  logStream?: NodeJS.WritableStream,
  env: Record<string, string | undefined> = process.env,
): Promise<RunningServer> {
  const logger = createLogger(config.logLevel, logStream);
  const runtime = await openRuntime(config, logger, env);
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
    ...(config.webUi ? { webUiRoot: builtWebUiRoot() } : {}),
  });
  app.addHook('onClose', async () => runtime.close());
  const url = await app.listen({ port: config.port, host: config.host });
  return { app, url, close: () => app.close() };
}
