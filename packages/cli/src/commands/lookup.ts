import type { AdminUserView, Core, UserLookup } from '@tessera/core';
import { SYSTEM_ACTOR } from '@tessera/core';
import { type FlagSpec, required, UsageError } from '../command.js';
import { cell, record } from '../output.js';

/** Whoever runs the command line on the server acts as the system (recorded so in the history). */
export const OPERATOR = SYSTEM_ACTOR;

/** `--username U | --external-id X`, the two ways an admin names an account. */
export const LOOKUP_FLAGS = {
  username: { type: 'string', value: 'U', description: 'the account, by username' },
  'external-id': { type: 'string', value: 'X', description: "the account, by the platform's own id" },
} as const satisfies Record<string, FlagSpec>;

export const LOOKUP_SYNOPSIS = '(--username U | --external-id X)';

export function lookupOf(flags: { username?: string | undefined; 'external-id'?: string | undefined }): UserLookup {
  const externalId = flags['external-id'];
  if (externalId !== undefined && flags.username !== undefined) {
    throw new UsageError('give --username or --external-id, not both');
  }
  if (externalId !== undefined && externalId !== '') return { externalId };
  return { username: required(flags.username, 'username') };
}

export async function findUser(core: Core, by: UserLookup): Promise<AdminUserView> {
  return core.userAdmin.lookup(OPERATOR, by);
}

/** The lock column and field: what an admin needs to decide on `users unlock`. */
export function lockText(lock: AdminUserView['secondFactorLock']): string {
  if (lock.suspended) return 'suspended (needs unlock)';
  if (lock.locked) return `locked until ${lock.lockedUntil}`;
  return '-';
}

/** One account as `key: value` lines (`users show`, and what a change prints). */
export function userRecord(user: AdminUserView): string {
  return record([
    ['username', user.username],
    ['id', user.id],
    ['external id', user.externalId],
    ['role', user.role],
    ['email', user.email],
    ['phone', user.phone],
    ['password', user.hasPassword ? 'set' : 'none'],
    ['state', user.disabled ? `disabled since ${user.disabledAt}` : 'enabled'],
    ['2fa', user.methods],
    ['lock', lockText(user.secondFactorLock)],
    ['domain', user.domain],
    ['sub-account', user.subAccountType === null ? null : `${user.subAccountType} of ${cell(user.ownerId)}`],
    ['created', user.createdAt],
  ]);
}
