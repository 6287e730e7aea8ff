import type { Config } from '@tessera/core';
import type { Runtime } from '@tessera/server';
import type { CliIo } from './cli-context.js';

/** One flag of a command, as `node:util` parseArgs takes it, with the text its help shows. */
export type FlagSpec =
  | { type: 'string'; description: string /** The placeholder in the help: `--username U`. */; value: string }
  | { type: 'boolean'; description: string };

export type FlagSpecs = Record<string, FlagSpec>;

/** The parsed values of a command's flags: a string flag gives a string, a boolean one true. */
export type FlagValues<F extends FlagSpecs> = {
  [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : string;
};

/**
 * What a command found or did: `data` is the one JSON document printed with `--json`, `text`
 * the human form (a table, a line) printed otherwise. `exitCode` overrides the 0 of success
 * (an import that skipped rows it could not read ends with 1).
 */
export interface CommandOutput {
  data: unknown;
  text: string;
  exitCode?: number;
}

export interface CommandContext {
  io: CliIo;
  /** `--json` was given: the command's data is printed, not its text. */
  json: boolean;
  /**
   * The database (migrated) and the core, closed when `fn` ends. Refuses a database that does
   * not exist yet unless the command creates one or `--create` was given (see database-guard.ts).
   */
  withRuntime<T>(fn: (runtime: Runtime, config: Config) => Promise<T>): Promise<T>;
}

/**
 * How a command treats the database:
 * - `open` (the default): opens it, refusing a new one without `--create`;
 * - `creates`: makes it if missing, saying so on stderr (`migrate`, `serve`);
 * - `none`: opens nothing through withRuntime (`status` looks without creating).
 */
export type DatabaseUse = 'open' | 'creates' | 'none';

export interface CommandSpec<F extends FlagSpecs = FlagSpecs> {
  /** The words that name it: `users create`. */
  name: string;
  /** One line for `tessera help`. */
  summary: string;
  /** What `--help` adds below the flags: rules, examples. */
  details?: string;
  flags: F;
  /** Flag combinations the help shows: `(--username U | --external-id X)`; derived when absent. */
  synopsis?: string;
  database?: DatabaseUse;
  /**
   * It may send a message (a notice to the account's owner): the console-provider warning is
   * shown, since the message would go to the log. Commands that send nothing stay quiet.
   */
  sends?: boolean;
  run(context: CommandContext, flags: FlagValues<F>): Promise<CommandOutput>;
}

/** Keeps the flag names typed inside `run`. */
export function defineCommand<F extends FlagSpecs>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

/** Wrong usage (exit 2): the message names the flag or the command. */
export class UsageError extends Error {}

export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${flag} is required`);
  return value;
}

/** A whole number flag within bounds, or its fallback when absent. */
export function wholeNumber(
  value: string | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
    throw new UsageError(`--${flag} is a whole number from ${min} to ${max}`);
  }
  return parsed;
}
