import type { HistoryQuery } from '@tessera/core';
import { defineCommand, UsageError, wholeNumber } from '../command.js';
import { cell, table } from '../output.js';
import { findUser, lookupOf, OPERATOR } from './lookup.js';

const RELATIVE = /^(\d+)([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since 7d` (or 24h, 30m) counts back from now; anything else is a date or time Date reads (ISO 8601). */
export function parseInstant(value: string, flag: string, now: Date): Date {
  const relative = RELATIVE.exec(value);
  if (relative) {
    const [, amount, unit] = relative;
    return new Date(now.getTime() - Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS]);
  }
  const date = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(`--${flag} is a date or time (2026-12-01, 2026-12-01T10:00:00Z) or an age (30m, 24h, 7d)`);
  }
  return date;
}

export const history = defineCommand({
  name: 'history',
  summary: 'the 2FA change history, newest first, with filters',
  synopsis:
    '[--username U | --external-id X] [--method M] [--since WHEN] [--until WHEN] [--enabled true|false] ' +
    '[--limit N] [--offset N] [--asc]',
  details: 'WHEN is a date or time (2026-12-01, 2026-12-01T10:00:00Z) or an age counted back from now (30m, 24h, 7d).',
  flags: {
    username: { type: 'string', value: 'U', description: "only this account's entries" },
    'external-id': { type: 'string', value: 'X', description: "only this account's entries, by the platform's id" },
    method: {
      type: 'string',
      value: 'M',
      description: 'only this method (totp, sms, email, backup_codes, account, …)',
    },
    since: { type: 'string', value: 'WHEN', description: 'entries at or after WHEN' },
    until: { type: 'string', value: 'WHEN', description: 'entries before WHEN' },
    enabled: { type: 'string', value: 'true|false', description: 'only enables (true) or only disables (false)' },
    limit: { type: 'string', value: 'N', description: 'at most N entries (1-100, default 20)' },
    offset: { type: 'string', value: 'N', description: 'skip the first N (default 0)' },
    asc: { type: 'boolean', description: 'oldest first' },
  },
  async run({ withRuntime }, flags) {
    const now = new Date();
    const query: HistoryQuery = {
      limit: wholeNumber(flags.limit, 'limit', 20, 1, 100),
      offset: wholeNumber(flags.offset, 'offset', 0, 0, 10_000_000),
      order: flags.asc ? 'asc' : 'desc',
    };
    if (flags.method !== undefined) {
      if (!/^[a-z_]{1,32}$/.test(flags.method)) throw new UsageError('--method is a method name such as totp or sms');
      query.method = flags.method;
    }
    if (flags.since !== undefined) query.from = parseInstant(flags.since, 'since', now);
    if (flags.until !== undefined) query.to = parseInstant(flags.until, 'until', now);
    if (flags.enabled !== undefined) {
      if (flags.enabled !== 'true' && flags.enabled !== 'false') throw new UsageError('--enabled is true or false');
      query.enabled = flags.enabled === 'true';
    }
    const byAccount = flags.username !== undefined || flags['external-id'] !== undefined;
    const by = byAccount ? lookupOf(flags) : undefined;
    return withRuntime(async ({ core }) => {
      if (by) query.userId = (await findUser(core, by)).id;
      const page = await core.history.listAll(OPERATOR, query);
      // The table names accounts by username; the JSON keeps the ids, as the API does.
      const names = new Map<string, string>();
      for (const id of new Set(page.items.flatMap((entry) => [entry.userId, entry.actorId]))) {
        if (id === null) continue;
        const user = await core.userAdmin.get(OPERATOR, id).catch(() => undefined);
        if (user) names.set(id, user.username);
      }
      const rows = page.items.map((entry) => [
        entry.createdAt,
        entry.userId === null ? (entry.userPseudonym ?? '-') : (names.get(entry.userId) ?? entry.userId),
        entry.method,
        entry.action,
        entry.enabled ? 'on' : 'off',
        entry.actorId === null ? entry.actor : `${entry.actor} ${names.get(entry.actorId) ?? entry.actorId}`,
        cell(entry.clientIp),
      ]);
      const text = [
        table(['TIME', 'ACCOUNT', 'METHOD', 'ACTION', '2FA', 'BY', 'FROM'], rows),
        `${page.items.length} of ${page.total} (offset ${page.offset})`,
      ].join('\n');
      return { data: page, text };
    });
  },
});
