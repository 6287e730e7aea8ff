import { FACTOR_KINDS, type FactorKind, type PolicyUpdate, SYSTEM_ACTOR } from '@tessera/core';
import { type CliIo, withRuntime } from '../cli-context.js';
import { type ParsedFlags, requireFlag, UsageError } from '../flags.js';

/** Whoever runs the command line on the server acts as the system (recorded so in the history). */
const OPERATOR = SYSTEM_ACTOR;

export async function issuerShowCommand(io: CliIo): Promise<number> {
  return withRuntime(io, async ({ core }) => {
    io.out(await core.issuers.read(OPERATOR));
    return 0;
  });
}

export async function issuerSetCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const issuer = requireFlag(flags, 'issuer');
  return withRuntime(io, async ({ core }) => {
    io.out(await core.issuers.change(OPERATOR, issuer));
    return 0;
  });
}

export async function policyShowCommand(io: CliIo): Promise<number> {
  return withRuntime(io, async ({ core }) => {
    io.out(JSON.stringify(await core.policy.read(OPERATOR), null, 2));
    return 0;
  });
}

export async function policySetCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const update = policyUpdate(flags);
  return withRuntime(io, async ({ core }) => {
    io.out(JSON.stringify(await core.policy.update(OPERATOR, update), null, 2));
    return 0;
  });
}

export async function usersResetTwoFactorCommand(io: CliIo, flags: ParsedFlags): Promise<number> {
  const username = requireFlag(flags, 'username');
  return withRuntime(io, async ({ core }) => {
    const user = await core.accounts.find(OPERATOR, username);
    const removed = await core.admin.resetTwoFactor(OPERATOR, user.id);
    io.out(JSON.stringify({ username, removed }));
    return 0;
  });
}

function policyUpdate(flags: ParsedFlags): PolicyUpdate {
  const update: PolicyUpdate = {};
  if (flags.required !== undefined) {
    if (flags.required !== 'true' && flags.required !== 'false') throw new UsageError('--required is true or false');
    update.required = flags.required === 'true';
  }
  if (flags['grace-days'] !== undefined) {
    const days = Number(flags['grace-days']);
    if (!/^\d+$/.test(flags['grace-days']) || days > 365) throw new UsageError('--grace-days is 0 to 365');
    update.gracePeriodDays = days;
  }
  const methods: Partial<Record<FactorKind, boolean>> = {};
  for (const [flag, allowed] of [
    ['allow', true],
    ['forbid', false],
  ] as const) {
    for (const method of flags[flag]?.split(',').filter(Boolean) ?? []) {
      if (!(FACTOR_KINDS as readonly string[]).includes(method)) {
        throw new UsageError(`--${flag} takes methods among ${FACTOR_KINDS.join(', ')}`);
      }
      methods[method as FactorKind] = allowed;
    }
  }
  if (Object.keys(methods).length > 0) update.methods = methods;
  if (Object.keys(update).length === 0) {
    throw new UsageError('policy set needs --required, --grace-days, --allow or --forbid');
  }
  return update;
}

/** Prints the id of the new signing key. */
export async function keysRotateCommand(io: CliIo): Promise<number> {
  return withRuntime(io, async ({ core }) => {
    io.out((await core.signingKeys.rotate(OPERATOR)).kid);
    return 0;
  });
}
