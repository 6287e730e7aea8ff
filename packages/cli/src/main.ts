import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError, isTesseraError, SecretKeyMismatchError } from '@tessera/core';
import { BackupError } from '@tessera/storage-kysely';
import { type CliIo, processIo, withRuntime } from './cli-context.js';
import { type CommandContext, type CommandSpec, type FlagSpecs, type FlagValues, UsageError } from './command.js';
import { NewDatabaseRefused } from './database-guard.js';
import { commandHelp, GLOBAL_FLAGS, overallHelp } from './help.js';
import { COMMANDS } from './registry.js';
import { describeStartupFailure } from './startup-failure.js';

/** Exit codes, as `tessera help` and the README list them. */
export const EXIT = { ok: 0, failed: 1, usage: 2, environment: 3 } as const;

/** Runs one command; returns the exit code (see EXIT). */
export async function main(args: string[], io: CliIo = processIo): Promise<number> {
  const [first] = args;
  if (first === undefined) {
    io.err(overallHelp(COMMANDS));
    return EXIT.usage;
  }
  if (first === 'help' || first === '--help' || first === '-h') return help(args.slice(1), io);
  const found = findCommand(args);
  if (!found) return unknownCommand(args, io);
  const { command, rest } = found;
  let json = rest.includes('--json');
  try {
    const values = parseFlags(command, rest);
    json = values.json === true;
    if (values.help === true) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    const context: CommandContext = {
      io,
      json,
      withRuntime: (fn) =>
        withRuntime(
          io,
          { mayCreate: values.create === true || command.database === 'creates', sends: command.sends === true },
          fn,
        ),
    };
    // Each command's own flags were what parseArgs was given, so the values fit its spec.
    const output = await command.run(context, values as unknown as FlagValues<FlagSpecs>);
    if (json) io.out(JSON.stringify(output.data, null, 2));
    else if (output.text !== '') io.out(output.text);
    return output.exitCode ?? EXIT.ok;
  } catch (error) {
    return failure(error, command, json, io);
  }
}

/** The longest run of leading words that names a command: `users create`, then `users`. */
function findCommand(args: string[]): { command: CommandSpec; rest: string[] } | undefined {
  for (let words = 2; words >= 1; words--) {
    const name = args.slice(0, words).join(' ');
    const command = COMMANDS.find((known) => known.name === name);
    if (command) return { command, rest: args.slice(words) };
  }
  return undefined;
}

function parseFlags(command: CommandSpec, rest: string[]): Record<string, string | boolean | undefined> {
  const options: ParseArgsConfig['options'] = {};
  const all: FlagSpecs = { ...command.flags, ...GLOBAL_FLAGS };
  for (const [name, flag] of Object.entries(all)) options[name] = { type: flag.type };
  try {
    const { values } = parseArgs({ args: rest, options, strict: true, allowPositionals: false });
    return values as Record<string, string | boolean | undefined>;
  } catch (error) {
    // parseArgs says which flag and why; its own wording about positionals is for developers.
    const message = (error as Error).message.replace(/^Unexpected argument '([^']*)'.*$/s, "unexpected argument '$1'");
    throw new UsageError(message);
  }
}

function help(words: string[], io: CliIo): number {
  if (words.length === 0) {
    io.out(overallHelp(COMMANDS));
    return EXIT.ok;
  }
  const found = findCommand(words);
  if (!found || found.rest.length > 0) return unknownCommand(words, io);
  io.out(commandHelp(found.command));
  return EXIT.ok;
}

/** `tessera frobnicate`, or `tessera users frob`: say which, and what there is instead. */
function unknownCommand(args: string[], io: CliIo): number {
  const words = args.filter((arg) => !arg.startsWith('-')).slice(0, 2);
  const group = COMMANDS.filter((command) => command.name.startsWith(`${words[0]} `));
  if (group.length > 0) {
    const asked = words.length > 1 ? `'${words.join(' ')}' is not a command` : `'${words[0]}' needs a subcommand`;
    io.err(`tessera: ${asked}; there are: ${group.map((command) => command.name).join(', ')}`);
  } else {
    io.err(`tessera: unknown command '${words[0] ?? args[0]}'. Run 'tessera help' for the list.`);
  }
  return EXIT.usage;
}

function failure(error: unknown, command: CommandSpec, json: boolean, io: CliIo): number {
  const report = (code: number, errorCode: string, message: string): number => {
    io.err(`tessera: ${message}`);
    if (json) io.out(JSON.stringify({ error: { code: errorCode, message } }, null, 2));
    return code;
  };
  if (error instanceof UsageError) {
    io.err(`tessera: ${error.message}\nRun 'tessera ${command.name} --help' for its usage.`);
    if (json) io.out(JSON.stringify({ error: { code: 'USAGE', message: error.message } }, null, 2));
    return EXIT.usage;
  }
  // A database that does not answer at start names its setting (startup-failure.ts).
  if (isTesseraError(error) && error.code === 'DATABASE_UNAVAILABLE') {
    const known = describeStartupFailure(error, io.env);
    if (known !== undefined) return report(EXIT.environment, 'ENVIRONMENT', known);
  }
  if (isTesseraError(error)) return report(EXIT.failed, error.code, error.message);
  if (error instanceof BackupError) return report(EXIT.failed, 'BACKUP', error.message);
  if (error instanceof ConfigError) return report(EXIT.environment, 'CONFIGURATION', error.message);
  if (error instanceof SecretKeyMismatchError) return report(EXIT.environment, 'SECRET_KEY_MISMATCH', error.message);
  if (error instanceof NewDatabaseRefused) return report(EXIT.environment, 'NO_DATABASE', error.message);
  const known = describeStartupFailure(error, io.env);
  if (known !== undefined) {
    const code = report(EXIT.environment, 'ENVIRONMENT', known);
    // The stack helps only someone debugging Tessera itself.
    if (io.env.TESSERA_LOG_LEVEL === 'debug' && error instanceof Error) io.err(error.stack ?? '');
    return code;
  }
  // A file that cannot be read (users import --file) is the caller's to fix, not a bug.
  const { code: errno, path } = error as NodeJS.ErrnoException;
  if ((errno === 'ENOENT' || errno === 'EACCES' || errno === 'EISDIR') && path !== undefined) {
    return report(EXIT.failed, 'FILE', `cannot read ${path} (${errno})`);
  }
  throw error;
}
