import { SYSTEM_ACTOR } from '@tessera/core';
import { type CliIo, withRuntime } from '../cli-context.js';
import { type ParsedFlags, requireFlag } from '../flags.js';

/** Prints only the new token on stdout, so a script can capture it. */
export async function tokensCreateCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const username = requireFlag(flags, 'username');
  return withRuntime(io, async ({ core }) => {
    const user = await core.accounts.find(SYSTEM_ACTOR, username);
    const { token } = await core.apiTokens.issue(user.id, flags.name ?? 'cli', flags['read-only'] ? 'read' : 'write');
    io.out(token);
    return 0;
  });
}
