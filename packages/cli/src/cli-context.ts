import { type Config, loadConfig } from '@tessera/core';
import { createLogger, openRuntime, type Runtime } from '@tessera/server';
import { guardNewDatabase } from './database-guard.js';

/**
 * Output goes to stdout (data only); logs and errors go to stderr, so `$(tessera tokens create …)`
 * is the token. `progress` is stderr when it is a terminal (a progress bar), undefined otherwise.
 */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  /** Where `--password-stdin` reads the password (standard input; a test gives its own). */
  stdin?: NodeJS.ReadableStream | undefined;
  progress?: NodeJS.WriteStream | undefined;
  /** Where the log goes (stderr; a test collects it). */
  log?: NodeJS.WritableStream | undefined;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  stdin: process.stdin,
  progress: process.stderr.isTTY ? process.stderr : undefined,
  log: process.stderr,
};

export interface RuntimeOptions {
  /** The database may be created (`--create`, or a command whose job it is), with a word on stderr. */
  mayCreate: boolean;
  /** The command may send a message: the console-provider warning is worth showing. */
  sends: boolean;
}

/** Same configuration as the server; the runtime is closed when `fn` ends. */
export async function withRuntime<T>(
  io: CliIo,
  options: RuntimeOptions,
  fn: (runtime: Runtime, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig(io.env);
  await guardNewDatabase(config, { mayCreate: options.mayCreate, warn: io.err });
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, io.log ?? process.stderr);
  const runtime = await openRuntime(config, logger, io.env, { announceConsoleDelivery: options.sends });
  try {
    return await fn(runtime, config);
  } finally {
    await runtime.close();
  }
}
