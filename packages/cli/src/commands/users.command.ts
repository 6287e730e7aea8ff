import { SUB_ACCOUNT_KINDS, type SubAccountKind, SYSTEM_ACTOR, toAccountView, type UserRecord } from '@tessera/core';
import { type CliIo, withRuntime } from '../cli-context.js';
import { type ParsedFlags, requireFlag, UsageError } from '../flags.js';

/** `--kind email|team`, checked before anything is opened. */
function subKindFlag(flags: ParsedFlags): SubAccountKind | undefined {
  if (flags.kind === undefined) return undefined;
  const kind = SUB_ACCOUNT_KINDS.find((known) => known === flags.kind);
  if (!kind) throw new UsageError(`--kind must be one of ${SUB_ACCOUNT_KINDS.join(', ')}`);
  return kind;
}

/** The account as the native API shows it, with cPanel's domain and owner. */
function cliAccountView(user: UserRecord, owner: string | undefined) {
  return { ...toAccountView(user), domain: user.domain, owner: owner ?? null, kind: user.subKind };
}

export async function usersCreateCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const username = requireFlag(flags, 'username');
  const password = requireFlag(flags, 'password');
  const subKind = subKindFlag(flags);
  return withRuntime(io, async ({ core }) => {
    const user = await core.accounts.create(SYSTEM_ACTOR, {
      username,
      password,
      email: flags.email,
      phone: flags.phone,
      role: flags.admin ? 'admin' : 'user',
      domain: flags.domain,
      owner: flags.owner,
      subKind,
    });
    io.out(JSON.stringify(cliAccountView(user, flags.owner), null, 2));
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
