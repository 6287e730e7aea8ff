import { SYSTEM_ACTOR, toAccountView } from '@tessera/core';
import { type CliIo, withRuntime } from '../cli-context.js';
import { type ParsedFlags, requireFlag } from '../flags.js';

export async function usersCreateCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const username = requireFlag(flags, 'username');
  const password = requireFlag(flags, 'password');
  return withRuntime(io, async ({ core }) => {
    const user = await core.accounts.create(SYSTEM_ACTOR, {
      username,
      password,
      email: flags.email,
      phone: flags.phone,
      role: flags.admin ? 'admin' : 'user',
    });
    io.out(JSON.stringify(toAccountView(user), null, 2));
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
