import type { CommandSpec } from './command.js';
import { backup, restore } from './commands/backup.command.js';
import { history } from './commands/history.command.js';
import { secretRotate, secretStatus } from './commands/secret.command.js';
import { migrate, serve, status } from './commands/server.commands.js';
import { issuerSet, issuerShow, keysRotate, policySet, policyShow } from './commands/settings.commands.js';
import { tokensCreate, tokensList, tokensRevoke } from './commands/tokens.commands.js';
import {
  usersCreate,
  usersDelete,
  usersDisable,
  usersEnable,
  usersList,
  usersResetTwoFactor,
  usersShow,
  usersUnlock,
  usersUpdate,
} from './commands/users.commands.js';
import { usersExport, usersImport } from './commands/users-transfer.commands.js';
import {
  webhooksCreate,
  webhooksDelete,
  webhooksDeliveries,
  webhooksList,
  webhooksRedeliver,
  webhooksRotateSecret,
} from './commands/webhooks.commands.js';

/**
 * Every command, in the order `tessera help` lists them.
 *
 * To add one: write a `defineCommand({ name, summary, flags, run })` in `commands/` (its flags
 * are `node:util` parseArgs options with a `description`, and `value` for a string's
 * placeholder), and add it here. Nothing else: the dispatch, `--help`, `--json`, `--create`,
 * the exit codes and the help text all come from the spec. `run` returns `{ data, text }`:
 * `data` is printed as JSON with `--json`, `text` otherwise; it opens the database through
 * `context.withRuntime`. Set `sends: true` if it may send a message, and `database: 'none'` if
 * it opens nothing (see command.ts). A test in test/cli/ then runs it as a user would.
 */
export const COMMANDS: readonly CommandSpec[] = [
  serve,
  migrate,
  status,
  usersCreate,
  usersShow,
  usersList,
  usersUpdate,
  usersDisable,
  usersEnable,
  usersDelete,
  usersUnlock,
  usersResetTwoFactor,
  usersImport,
  usersExport,
  tokensCreate,
  tokensList,
  tokensRevoke,
  history,
  issuerShow,
  issuerSet,
  policyShow,
  policySet,
  keysRotate,
  secretStatus,
  secretRotate,
  webhooksCreate,
  webhooksList,
  webhooksDelete,
  webhooksRotateSecret,
  webhooksDeliveries,
  webhooksRedeliver,
  backup,
  restore,
];
