import { loadConfig } from '@tessera/core';
import { startServer } from '@tessera/server';
import type { CliIo } from '../cli-context.js';

/** Starts the server and stops it cleanly on SIGINT/SIGTERM. */
export async function serveCommand(io: CliIo): Promise<number> {
  const config = loadConfig(io.env);
  const server = await startServer(config);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
