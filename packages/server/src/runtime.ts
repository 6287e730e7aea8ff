import {
  type Config,
  type Core,
  type CoreMetrics,
  createCore,
  type Delivery,
  holdsSealedData,
  type Logger,
} from '@tessera/core';
import { createDelivery, loadDeliveryConfig } from '@tessera/delivery';
import { type KyselyStorage, openStorage, type StorageMetrics } from '@tessera/storage-kysely';
import { loadSecretKey } from './secret-key-file.js';

export interface Runtime {
  storage: KyselyStorage;
  core: Core;
  close(): Promise<void>;
}

/**
 * The composition root shared by the server and the CLI: key, database (migrated), core.
 * The only place that puts the storage implementation and the core together.
 */
export async function openRuntime(
  config: Config,
  logger: Logger,
  env: Record<string, string | undefined> = process.env,
  /** `announceConsoleDelivery: false` for a command that sends nothing (see createDelivery). */
  options: { announceConsoleDelivery?: boolean; metrics?: CoreMetrics; storageMetrics?: StorageMetrics } = {},
): Promise<Runtime> {
  // Delivery settings are checked before anything is opened: a bad SMTP port fails the start.
  const delivery: Delivery = createDelivery(loadDeliveryConfig(env), logger, {
    announceConsole: options.announceConsoleDelivery ?? true,
  });
  const startKey = loadSecretKey(config, logger);
  const storage = await openStorage({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    metrics: options.storageMetrics,
    // The request that used the connection (if any) was answered DATABASE_UNAVAILABLE.
    onConnectionError: (error) =>
      logger.warn({ reason: error.message }, 'database connection lost; the pool opens a new one on demand'),
    // Every write meanwhile is answered STORAGE_UNWRITABLE; reads still work.
    onStorageFault: (fault) =>
      logger.error(
        { file: fault.file, code: fault.code, reason: fault.message },
        'the database file cannot take writes (disk full, read-only or failing): writes answer 503 until it can',
      ),
  });
  try {
    const { applied } = await storage.migrate();
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
    // A key made just now cannot open what an earlier key sealed: createCore then refuses the
    // start, naming the key the data needs, and the new key is never written. Otherwise it is
    // written before anything is sealed under it, so a crash in between loses nothing.
    const sealedUnderAnother = startKey.generated && (await holdsSealedData(storage.settings));
    if (startKey.generated && !sealedUnderAnother) startKey.save();
    const core = await createCore({
      storage,
      secretKey: startKey.key,
      previousSecretKeys: config.previousSecretKeys,
      config,
      logger,
      delivery,
      webhooks: {
        dispatcher: { timeoutMs: config.webhooks.timeoutMs, pollMs: config.webhooks.pollMs },
        secretOverlapSeconds: config.webhooks.secretOverlapSeconds,
      },
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    if (sealedUnderAnother) throw new Error('a generated secret key opened data sealed before it: refusing to start');
    return {
      storage,
      core,
      close: async () => {
        // Security notices still on their way are given the chance to leave before the exit.
        await core.notifications.settle();
        await storage.close();
      },
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
}
