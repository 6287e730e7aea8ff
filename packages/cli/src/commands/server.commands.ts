import cluster from 'node:cluster';
import { loadConfig } from '@tessera/core';
import { assertHostResolves, createLogger, startServer } from '@tessera/server';
import { listMigrations, openStorage } from '@tessera/storage-kysely';
import { defineCommand } from '../command.js';
import { guardNewDatabase, inspectDatabase } from '../database-guard.js';
import { cell, record } from '../output.js';
import { superviseWorkers } from './workers.js';

export const serve = defineCommand({
  name: 'serve',
  summary: 'start the HTTP server (its log goes to stdout, one JSON object a line)',
  details:
    'Stops cleanly on SIGINT or SIGTERM, finishing the requests in flight. With TESSERA_WORKERS > 1,\n' +
    'starts that many processes sharing the port. Creates the database on first start, saying so.',
  database: 'creates',
  sends: true,
  flags: {},
  async run({ io }) {
    const config = loadConfig(io.env);
    // A HOST that names no address is refused before the database is looked at or announced.
    await assertHostResolves(config.host);
    if (config.workers > 1 && cluster.isPrimary) {
      await guardNewDatabase(config, { mayCreate: true, warn: io.err });
      return { data: null, text: '', exitCode: await superviseWorkers(config, io) };
    }
    if (cluster.isPrimary) await guardNewDatabase(config, { mayCreate: true, warn: io.err });
    // A worker's metrics are scraped through the primary's listener, summed with the others'.
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
    return { data: null, text: '' };
  },
});

export const migrate = defineCommand({
  name: 'migrate',
  summary: 'bring the database schema up to date (the server does this on start too)',
  details: 'Creates the database if there is none yet, saying so on stderr.',
  database: 'creates',
  flags: {},
  async run({ io }) {
    const config = loadConfig(io.env);
    await guardNewDatabase(config, { mayCreate: true, warn: io.err });
    createLogger(config.logLevel, io.log ?? process.stderr);
    const storage = await openStorage({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const { applied } = await storage.migrate();
      const text = [
        ...applied.map((name) => `applied ${name}`),
        applied.length === 0 ? 'database is up to date' : `${applied.length} migration(s) applied`,
      ].join('\n');
      return { data: { applied }, text };
    } finally {
      await storage.close();
    }
  },
});

export const status = defineCommand({
  name: 'status',
  summary: 'which database and data directory this configuration uses, and its schema version',
  details:
    "Creates nothing: a database not there yet is reported as missing. Compare it with the server's\n" +
    'settings before running other commands beside it.',
  database: 'none',
  flags: {},
  async run({ io }) {
    const config = loadConfig(io.env);
    const state = await inspectDatabase(config);
    const latest = Object.keys(listMigrations(state.kind)).at(-1) ?? null;
    const data = {
      ...state,
      latestSchemaVersion: latest,
      upToDate: state.exists && state.pendingMigrations.length === 0,
    };
    const text = record([
      ['database', `${state.kind} ${state.location}`],
      ['data dir', state.dataDir],
      ['exists', state.exists ? 'yes' : 'no (a command would create it only with --create)'],
      ['schema', state.exists ? `${state.schemaVersion} (${state.appliedMigrations} migrations)` : null],
      [
        'pending',
        state.pendingMigrations.length === 0 ? 'none' : `${state.pendingMigrations.length} (run tessera migrate)`,
      ],
      ['latest', cell(latest)],
    ]);
    return { data, text };
  },
});
