import {
  type AccountChange,
  type AdminUserView,
  type Role,
  SUB_ACCOUNT_KINDS,
  type SubAccountKind,
} from '@tessera/core';
import { type CommandOutput, defineCommand, required, UsageError, wholeNumber } from '../command.js';
import { cell, table } from '../output.js';
import { PASSWORD_STDIN_FLAG, passwordOf } from '../password-input.js';
import { findUser, LOOKUP_FLAGS, LOOKUP_SYNOPSIS, lockText, lookupOf, OPERATOR, userRecord } from './lookup.js';

const ROLES: readonly Role[] = ['user', 'admin'];

/** What a command that changes one account prints: the account as it is now. */
function changed(user: AdminUserView): CommandOutput {
  return { data: user, text: userRecord(user) };
}

export const usersCreate = defineCommand({
  name: 'users create',
  summary: 'create an account (recorded in the history)',
  synopsis:
    '--username U (--password P | --password-stdin | --no-password) [--external-id X] [--email E] [--phone +E164] [--admin] ' +
    '[--domain D] [--owner OWNER --kind email|team]',
  details:
    'An account without a password (--no-password) cannot sign in with one: it is for a platform that keeps\n' +
    'its own users and calls /verify. --owner and --kind make a cPanel e-mail account or team user.\n' +
    '--password-stdin reads the password from standard input: printf \'%s\' "$PW" | tessera users create …',
  flags: {
    username: { type: 'string', value: 'U', description: 'the new username' },
    password: { type: 'string', value: 'P', description: 'its password' },
    ...PASSWORD_STDIN_FLAG,
    'no-password': { type: 'boolean', description: 'an account that never signs in with a password' },
    'external-id': { type: 'string', value: 'X', description: "the platform's own id for it" },
    email: { type: 'string', value: 'E', description: 'its e-mail address' },
    phone: { type: 'string', value: '+E164', description: 'its phone number' },
    admin: { type: 'boolean', description: 'make it an admin' },
    domain: { type: 'string', value: 'D', description: "cPanel's primary domain" },
    owner: { type: 'string', value: 'OWNER', description: 'the account that owns this sub-account' },
    kind: { type: 'string', value: 'email|team', description: 'which kind of sub-account' },
  },
  async run({ io, withRuntime }, flags) {
    const username = required(flags.username, 'username');
    if (flags['no-password'] && (flags.password !== undefined || flags['password-stdin'])) {
      throw new UsageError('--password and --no-password exclude each other');
    }
    // Without a password only when asked: an account that cannot sign in should not come from a typo.
    const password = flags['no-password']
      ? undefined
      : required(await passwordOf(flags, io.stdin), 'password (or --password-stdin)');
    let subKind: SubAccountKind | undefined;
    if (flags.kind !== undefined) {
      subKind = SUB_ACCOUNT_KINDS.find((known) => known === flags.kind);
      if (!subKind) throw new UsageError(`--kind must be one of ${SUB_ACCOUNT_KINDS.join(', ')}`);
    }
    return withRuntime(async ({ core }) => {
      const user = await core.userAdmin.create(OPERATOR, {
        username,
        password,
        email: flags.email,
        phone: flags.phone,
        externalId: flags['external-id'],
        role: flags.admin ? 'admin' : 'user',
        domain: flags.domain,
        owner: flags.owner,
        subKind,
      });
      // The owner by name too, as it was given.
      const data = { ...user, owner: flags.owner ?? null };
      return { data, text: userRecord(user) };
    });
  },
});

export const usersShow = defineCommand({
  name: 'users show',
  summary: 'an account: role, external id, contact, lock, state and its factors',
  synopsis: LOOKUP_SYNOPSIS,
  flags: LOOKUP_FLAGS,
  async run({ withRuntime }, flags) {
    const by = lookupOf(flags);
    return withRuntime(async ({ core }) => {
      const account = await findUser(core, by);
      const factors = await core.factors.listFor(OPERATOR, account.id);
      const rows = factors.map((factor) => [factor.id, factor.method, factor.status, cell(factor.activatedAt)]);
      const factorTable = rows.length === 0 ? 'no factors' : table(['FACTOR', 'METHOD', 'STATUS', 'ACTIVATED'], rows);
      return { data: { account, factors }, text: `${userRecord(account)}\n\n${factorTable}` };
    });
  },
});

export const usersList = defineCommand({
  name: 'users list',
  summary: 'accounts with their role, external id, 2FA methods, lock and state',
  flags: {
    search: {
      type: 'string',
      value: 'TEXT',
      description: 'only accounts whose username, e-mail or external id contains TEXT (any case)',
    },
    limit: { type: 'string', value: 'N', description: 'at most N accounts (1-1000, default 50)' },
    offset: { type: 'string', value: 'N', description: 'skip the first N (default 0)' },
  },
  async run({ withRuntime }, flags) {
    const limit = wholeNumber(flags.limit, 'limit', 50, 1, 1000);
    const offset = wholeNumber(flags.offset, 'offset', 0, 0, 10_000_000);
    return withRuntime(async ({ core }) => {
      const page = await core.userAdmin.list(OPERATOR, { limit, offset, search: flags.search });
      const rows = page.items.map((user) => [
        user.username,
        cell(user.externalId),
        user.role,
        cell(user.methods),
        lockText(user.secondFactorLock),
        user.disabled ? 'disabled' : 'enabled',
      ]);
      const text = [
        table(['USERNAME', 'EXTERNAL ID', 'ROLE', '2FA', 'LOCK', 'STATE'], rows),
        `${page.items.length} of ${page.total} (offset ${offset})`,
      ].join('\n');
      return { data: { items: page.items, total: page.total, limit, offset }, text };
    });
  },
});

export const usersUpdate = defineCommand({
  name: 'users update',
  summary: "change an account's e-mail address, phone number ('' clears one), username or role",
  synopsis: `${LOOKUP_SYNOPSIS} [--email E] [--phone +E164] [--new-username U2] [--role user|admin]`,
  details:
    'The owner is told of a new address or number at the address the account had. A new role ends the\n' +
    "account's sessions (their access tokens carry the old one). Recorded in the history.",
  sends: true,
  flags: {
    ...LOOKUP_FLAGS,
    email: { type: 'string', value: 'E', description: "the new address ('' clears it)" },
    phone: { type: 'string', value: '+E164', description: "the new number ('' clears it)" },
    'new-username': { type: 'string', value: 'U2', description: 'the new username' },
    role: { type: 'string', value: 'user|admin', description: 'the new role' },
  },
  async run({ withRuntime }, flags) {
    const by = lookupOf(flags);
    const change: AccountChange = {};
    if (flags.email !== undefined) change.email = flags.email === '' ? null : flags.email;
    if (flags.phone !== undefined) change.phone = flags.phone === '' ? null : flags.phone;
    if (flags['new-username'] !== undefined) change.username = flags['new-username'];
    if (flags.role !== undefined) {
      const role = ROLES.find((known) => known === flags.role);
      if (!role) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      change.role = role;
    }
    if (Object.keys(change).length === 0) throw new UsageError('give --email, --phone, --new-username or --role');
    return withRuntime(async ({ core }) =>
      changed(await core.userAdmin.update(OPERATOR, (await findUser(core, by)).id, change)),
    );
  },
});

export const usersSetPassword = defineCommand({
  name: 'users set-password',
  summary: 'set a new password for an account: its sessions end (recorded, the owner told)',
  synopsis: `${LOOKUP_SYNOPSIS} (--password P | --password-stdin)`,
  details:
    'For an owner who cannot recover their account, or an account made without a password. Every session,\n' +
    'remembered device and pending flow of the account ends, as after a password reset.\n' +
    '--password-stdin reads it from standard input: printf \'%s\' "$PW" | tessera users set-password …',
  sends: true,
  flags: {
    ...LOOKUP_FLAGS,
    password: { type: 'string', value: 'P', description: 'the new password (8-256 characters)' },
    ...PASSWORD_STDIN_FLAG,
  },
  async run({ io, withRuntime }, flags) {
    const by = lookupOf(flags);
    const password = required(await passwordOf(flags, io.stdin), 'password (or --password-stdin)');
    return withRuntime(async ({ core }) => {
      const user = await findUser(core, by);
      await core.passwords.setByAdmin(OPERATOR, user.id, password);
      return { data: { username: user.username, passwordSet: true }, text: `new password set for ${user.username}` };
    });
  },
});

export const usersDisable = defineCommand({
  name: 'users disable',
  summary: 'refuse its password, tokens and sessions; end its sessions',
  synopsis: LOOKUP_SYNOPSIS,
  sends: true,
  flags: LOOKUP_FLAGS,
  async run({ withRuntime }, flags) {
    const by = lookupOf(flags);
    return withRuntime(async ({ core }) =>
      changed(await core.userAdmin.disable(OPERATOR, (await findUser(core, by)).id)),
    );
  },
});

export const usersEnable = defineCommand({
  name: 'users enable',
  summary: 'let a disabled account sign in again',
  synopsis: LOOKUP_SYNOPSIS,
  sends: true,
  flags: LOOKUP_FLAGS,
  async run({ withRuntime }, flags) {
    const by = lookupOf(flags);
    return withRuntime(async ({ core }) =>
      changed(await core.userAdmin.enable(OPERATOR, (await findUser(core, by)).id)),
    );
  },
});

export const usersDelete = defineCommand({
  name: 'users delete',
  summary: 'delete it with its factors, tokens and sessions; its history stays, pseudonymised',
  synopsis: LOOKUP_SYNOPSIS,
  flags: LOOKUP_FLAGS,
  async run({ withRuntime }, flags) {
    const by = lookupOf(flags);
    return withRuntime(async ({ core }) => {
      const user = await findUser(core, by);
      const { pseudonym } = await core.userAdmin.delete(OPERATOR, user.id);
      return {
        data: { deleted: user.username, pseudonym },
        text: `deleted ${user.username} (history kept as ${pseudonym})`,
      };
    });
  },
});

export const usersUnlock = defineCommand({
  name: 'users unlock',
  summary: "clear the account's second-factor lock and failures (recorded, the owner told)",
  synopsis: LOOKUP_SYNOPSIS,
  sends: true,
  flags: LOOKUP_FLAGS,
  async run({ withRuntime }, flags) {
    const by = lookupOf(flags);
    return withRuntime(async ({ core }) => {
      const user = await findUser(core, by);
      await core.admin.unlockSecondFactor(OPERATOR, user.id);
      return changed(await findUser(core, by));
    });
  },
});

export const usersResetTwoFactor = defineCommand({
  name: 'users reset-2fa',
  summary: "remove all of the account's second factors (recorded, the owner told)",
  synopsis: LOOKUP_SYNOPSIS,
  sends: true,
  flags: LOOKUP_FLAGS,
  async run({ withRuntime }, flags) {
    const by = lookupOf(flags);
    return withRuntime(async ({ core }) => {
      const user = await findUser(core, by);
      const removed = await core.admin.resetTwoFactor(OPERATOR, user.id);
      return {
        data: { username: user.username, removed },
        text: `removed from ${user.username}: ${removed.length === 0 ? 'nothing' : removed.join(', ')}`,
      };
    });
  },
});
