import {
  type AdminUserView,
  type ContactChange,
  type Core,
  SUB_ACCOUNT_KINDS,
  type SubAccountKind,
  SYSTEM_ACTOR,
  toAccountView,
  type UserLookup,
} from '@tessera/core';
import { type CliIo, withRuntime } from '../cli-context.js';
import { type ParsedFlags, requireFlag, UsageError } from '../flags.js';

/** `--kind email|team`, checked before anything is opened. */
function subKindFlag(flags: ParsedFlags): SubAccountKind | undefined {
  if (flags.kind === undefined) return undefined;
  const kind = SUB_ACCOUNT_KINDS.find((known) => known === flags.kind);
  if (!kind) throw new UsageError(`--kind must be one of ${SUB_ACCOUNT_KINDS.join(', ')}`);
  return kind;
}

/**
 * A new account, recorded in the history as the system's. Without a password only when asked
 * (`--no-password`): an account that cannot sign in with one should not come from a typo.
 */
export async function usersCreateCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const username = requireFlag(flags, 'username');
  if (flags['no-password'] && flags.password !== undefined) {
    throw new UsageError('--password and --no-password exclude each other');
  }
  const password = flags['no-password'] ? undefined : requireFlag(flags, 'password');
  const subKind = subKindFlag(flags);
  return withRuntime(io, async ({ core }) => {
    const user = await core.userAdmin.create(SYSTEM_ACTOR, {
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
    io.out(JSON.stringify({ ...user, owner: flags.owner ?? null }, null, 2));
    return 0;
  });
}

export async function usersShowCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const username = requireFlag(flags, 'username');
  return withRuntime(io, async ({ core }) => {
    const user = await core.accounts.find(SYSTEM_ACTOR, username);
    const factors = await core.factors.listFor(SYSTEM_ACTOR, user.id);
    io.out(JSON.stringify({ account: toAccountView(user), factors }, null, 2));
    return 0;
  });
}

/** `--email` and `--phone` set a value; an empty one (`--phone ''`) clears it. */
export async function usersUpdateCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const by = lookupOf(flags);
  const change: ContactChange = {};
  if (flags.email !== undefined) change.email = flags.email === '' ? null : flags.email;
  if (flags.phone !== undefined) change.phone = flags.phone === '' ? null : flags.phone;
  if (Object.keys(change).length === 0) throw new UsageError('give --email, --phone or both');
  return onUser(io, by, (core, id) => core.userAdmin.updateContact(SYSTEM_ACTOR, id, change));
}

export async function usersDisableCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  return onUser(io, lookupOf(flags), (core, id) => core.userAdmin.disable(SYSTEM_ACTOR, id));
}

export async function usersEnableCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  return onUser(io, lookupOf(flags), (core, id) => core.userAdmin.enable(SYSTEM_ACTOR, id));
}

export async function usersDeleteCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const by = lookupOf(flags);
  return withRuntime(io, async ({ core }) => {
    const user = await core.userAdmin.lookup(SYSTEM_ACTOR, by);
    const { pseudonym } = await core.userAdmin.delete(SYSTEM_ACTOR, user.id);
    io.out(JSON.stringify({ deleted: user.username, pseudonym }));
    return 0;
  });
}

/** One line per account: who, the platform id, the 2FA methods, the lock and whether disabled. */
export async function usersListCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const limit = count(flags.limit, '--limit', 50, 1, 100);
  const offset = count(flags.offset, '--offset', 0, 0, 10_000_000);
  return withRuntime(io, async ({ core }) => {
    const page = await core.admin.listUsers(SYSTEM_ACTOR, limit, offset);
    const rows = page.items.map((user) => [
      user.username,
      user.externalId ?? '-',
      user.methods.length > 0 ? user.methods.join(',') : '-',
      lockText(user.secondFactorLock),
      user.disabled ? 'disabled' : 'enabled',
    ]);
    io.out(table([['USERNAME', 'EXTERNAL ID', '2FA', 'LOCK', 'STATE'], ...rows]));
    io.out(`${page.items.length} of ${page.total} (offset ${offset})`);
    return 0;
  });
}

function lockText(lock: AdminUserView['secondFactorLock']): string {
  if (lock.suspended) return 'suspended (needs unlock)';
  if (lock.locked) return `locked until ${lock.lockedUntil}`;
  return '-';
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function count(value: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`${flag} is a whole number from ${min} to ${max}`);
  }
  return parsed;
}

function lookupOf(flags: ParsedFlags): UserLookup {
  const externalId = flags['external-id'];
  if (externalId !== undefined && flags.username !== undefined) {
    throw new UsageError('give --username or --external-id, not both');
  }
  if (externalId !== undefined && externalId !== '') return { externalId };
  return { username: requireFlag(flags, 'username') };
}

async function onUser(
  io: CliIo,
  by: UserLookup,
  change: (core: Core, userId: string) => Promise<AdminUserView>,
): Promise<number> {
  return withRuntime(io, async ({ core }) => {
    const user = await core.userAdmin.lookup(SYSTEM_ACTOR, by);
    io.out(JSON.stringify(await change(core, user.id), null, 2));
    return 0;
  });
}
