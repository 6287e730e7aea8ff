// Runs Tessera in its own process for the benchmark; prints its URL on stdout and answers the
// parent's "usage" message with its CPU time and resident memory.
import { loadConfig } from '@tessera/core';
import { startServer } from '@tessera/server';

const server = await startServer(loadConfig(process.env));
process.stdout.write(`${server.url}\n`);
process.on('message', (message) => {
  if (message === 'usage') process.send?.({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
});
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
