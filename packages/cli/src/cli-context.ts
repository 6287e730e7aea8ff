import { type Config, loadConfig } from '@tessera/core';
import { createLogger, openRuntime, type Runtime } from '@tessera/server';

/** Output goes to stdout (data only); logs and errors go to stderr, so `$(tessera tokens create …)` is the token. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/** Same configuration as the server; the runtime is closed when `fn` ends. */
export async function withRuntime<T>(io: CliIo, fn: (runtime: Runtime, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(io.env);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const runtime = await openRuntime(config, logger, io.env);
  try {
    return await fn(runtime, config);
  } finally {
    await runtime.close();
  }
}
