// Runs Tessera in its own process for the benchmark; prints its URL on stdout.
import { loadConfig } from '@tessera/core';
import { startServer } from '@tessera/server';

const server = await startServer(loadConfig(process.env));
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
