import { ConfigError, isTesseraError, SecretKeyMismatchError } from '@tessera/core';
import { type CliIo, processIo } from './cli-context.js';
import {
  issuerSetCommand,
  issuerShowCommand,
  keysRotateCommand,
  policySetCommand,
  policyShowCommand,
  usersResetTwoFactorCommand,
} from './commands/admin.command.js';
import { migrateCommand } from './commands/migrate.command.js';
import { serveCommand } from './commands/serve.command.js';
import { tokensCreateCommand } from './commands/tokens.command.js';
import {
  usersCreateCommand,
  usersDeleteCommand,
  usersDisableCommand,
  usersEnableCommand,
  usersListCommand,
  usersShowCommand,
  usersUpdateCommand,
} from './commands/users.command.js';
import { type ParsedFlags, parseFlags, UsageError } from './flags.js';
import { describeStartupFailure } from './startup-failure.js';

export const USAGE = `Usage: tessera <command> [options]

Commands:
  serve                                   start the HTTP server
  migrate                                 bring the database schema up to date
  users create --username U (--password P | --no-password) [--external-id X] [--email E] [--phone +E164] [--admin]
              [--domain D] [--owner OWNER --kind email|team]
                                          an account without a password cannot sign in with one
  users show --username U                 the account and its factors, as JSON
  users list [--limit N] [--offset N]     accounts with their 2FA methods, lock and state
  users update (--username U | --external-id X) [--email E] [--phone +E164]
                                          change contact details ('' clears one)
  users disable (--username U | --external-id X)
                                          refuse its password, tokens and sessions; end its sessions
  users enable (--username U | --external-id X)
  users delete (--username U | --external-id X)
                                          delete it with its factors, tokens and sessions; its history stays, pseudonymised
  users reset-2fa --username U            remove all of the user's second factors (recorded, user notified)
  tokens create --username U [--name N] [--read-only]
                                          create an API token; prints only the token
  keys rotate                             sign new access tokens with a new key (old tokens stay valid)
  issuer show | issuer set --issuer NAME  the system-wide issuer of new otpauth URIs
  policy show                             the 2FA policy, as JSON
  policy set [--required true|false] [--grace-days N] [--allow M,M] [--forbid M,M]
                                          change it (methods: totp, sms, email, backup_codes)

Configuration comes from the environment, as for the server (see docs/configuration.md).`;

type Command = (io: CliIo, flags: ParsedFlags) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  'users create': usersCreateCommand,
  'users show': usersShowCommand,
  'users list': usersListCommand,
  'users update': usersUpdateCommand,
  'users disable': usersDisableCommand,
  'users enable': usersEnableCommand,
  'users delete': usersDeleteCommand,
  'users reset-2fa': usersResetTwoFactorCommand,
  'tokens create': tokensCreateCommand,
  'issuer show': issuerShowCommand,
  'issuer set': issuerSetCommand,
  'policy show': policyShowCommand,
  'policy set': policySetCommand,
  'keys rotate': keysRotateCommand,
};

/** Runs one command; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function main(args: string[], io: CliIo = processIo): Promise<number> {
  try {
    const { positionals, flags } = parseFlags(args);
    const command = COMMANDS[positionals.slice(0, 2).join(' ')] ?? COMMANDS[positionals[0] ?? ''];
    if (flags.help || !command) {
      (command || flags.help ? io.out : io.err)(USAGE);
      return flags.help ? 0 : 2;
    }
    return await command(io, flags);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`tessera: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    // Before the generic TesseraError line: a database that does not answer names its setting.
    const known = describeStartupFailure(error, io.env);
    if (
      known === undefined &&
      (error instanceof ConfigError || error instanceof SecretKeyMismatchError || isTesseraError(error))
    ) {
      io.err(`tessera: ${error.message}`);
      return 1;
    }
    if (known !== undefined) {
      io.err(`tessera: ${known}`);
      // The stack helps only someone debugging Tessera itself.
      if (io.env.TESSERA_LOG_LEVEL === 'debug' && error instanceof Error) io.err(error.stack ?? '');
      return 1;
    }
    throw error;
  }
}
