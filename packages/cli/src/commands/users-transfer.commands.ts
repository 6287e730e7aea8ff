import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type AdminUserView, type Core, changeContextFor, type ImportedAccount, isTesseraError } from '@tessera/core';
import { SingleBar } from 'cli-progress';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { CliIo } from '../cli-context.js';
import { defineCommand, required, UsageError } from '../command.js';
import { OPERATOR } from './lookup.js';

/** The columns `users import` reads; only `username` is required. */
export const IMPORT_COLUMNS = ['username', 'email', 'phone', 'external_id', 'totp_secret'] as const;
const EXPORT_COLUMNS = ['username', 'email', 'phone', 'external_id', 'role', 'methods', 'disabled', 'created_at'];
const EXPORT_PAGE = 500;

interface Skipped {
  line: number;
  username: string | null;
  reason: string;
}

export const usersImport = defineCommand({
  name: 'users import',
  summary: 'create accounts (and their authenticator keys) from a CSV file, for migration',
  synopsis: '--file users.csv',
  details:
    `The file has a header line naming its columns among ${IMPORT_COLUMNS.join(', ')}; only username is\n` +
    'required. The accounts have no password. totp_secret is the base32 key of the authenticator the user\n' +
    'already has (SHA1, 6 digits, 30 s): they keep using it. An account whose username exists is skipped,\n' +
    'so running the same import twice changes nothing. Each account is written with its key and its\n' +
    'history entries in one transaction; the import as a whole is recorded in the history too.\n' +
    'Ends with 1 when a row was refused (the summary says why), 0 otherwise.',
  flags: { file: { type: 'string', value: 'FILE', description: 'the CSV file to read' } },
  async run({ io, withRuntime }, flags) {
    const file = required(flags.file, 'file');
    const rows = readRows(await readFile(file, 'utf8'));
    return withRuntime(async ({ core }) => {
      const imported: string[] = [];
      const existing: string[] = [];
      const skipped: Skipped[] = [];
      const bar = progressBar(io, rows.length);
      for (const [index, row] of rows.entries()) {
        // Line 1 is the header.
        const line = index + 2;
        const outcome = await importRow(core, row);
        const username = row.username ?? '';
        if (outcome.status === 'imported') imported.push(username);
        else if (outcome.status === 'exists') existing.push(username);
        else skipped.push({ line, username: username || null, reason: outcome.reason });
        bar?.increment();
      }
      bar?.stop();
      const summary = { imported: imported.length, existing: existing.length, skipped: skipped.length };
      await core.history.record(
        {
          userId: null,
          method: 'account',
          action: 'import',
          enabled: true,
          details: { file: basename(file), ...summary },
        },
        changeContextFor(OPERATOR, null),
      );
      const lines = [
        `imported ${imported.length}, already there ${existing.length}, skipped ${skipped.length}`,
        ...skipped.map((skip) => `  line ${skip.line} (${skip.username ?? 'no username'}): ${skip.reason}`),
      ];
      return {
        data: { ...summary, importedUsernames: imported, existingUsernames: existing, skippedRows: skipped },
        text: lines.join('\n'),
        exitCode: skipped.length > 0 ? 1 : 0,
      };
    });
  },
});

type RowOutcome = { status: 'imported' } | { status: 'exists' } | { status: 'skipped'; reason: string };
type ImportRow = Partial<Record<(typeof IMPORT_COLUMNS)[number], string>>;

async function importRow(core: Core, row: ImportRow): Promise<RowOutcome> {
  if (!row.username) return { status: 'skipped', reason: 'no username' };
  const account: ImportedAccount = { username: row.username };
  if (row.email) account.email = row.email;
  if (row.phone) account.phone = row.phone;
  if (row.external_id) account.externalId = row.external_id;
  if (row.totp_secret) account.totpSecret = row.totp_secret;
  try {
    const outcome = await core.accountImport.importAccount(OPERATOR, account);
    return { status: outcome.status };
  } catch (error) {
    // A row the core refuses (a bad address, a short key) is reported; anything else is a fault.
    if (isTesseraError(error)) return { status: 'skipped', reason: `${error.code}: ${error.message}` };
    throw error;
  }
}

/** The CSV's rows, keyed by column; a column Tessera does not know is a mistake worth stopping for. */
function readRows(text: string): ImportRow[] {
  let rows: ImportRow[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    throw new UsageError(`the file is not CSV as expected: ${(error as Error).message}`);
  }
  const columns = Object.keys(rows[0] ?? {});
  const unknown = columns.filter((column) => !(IMPORT_COLUMNS as readonly string[]).includes(column));
  if (unknown.length > 0) {
    throw new UsageError(`unknown column(s) ${unknown.join(', ')}: the columns are ${IMPORT_COLUMNS.join(', ')}`);
  }
  if (rows.length > 0 && !columns.includes('username')) throw new UsageError('the file has no username column');
  return rows;
}

/** A bar on a terminal only: a pipe or a log file gets the summary alone. */
function progressBar(io: CliIo, total: number): SingleBar | undefined {
  if (io.progress === undefined || total === 0) return undefined;
  const bar = new SingleBar({
    stream: io.progress,
    format: 'importing [{bar}] {value}/{total}',
    clearOnComplete: true,
    hideCursor: true,
  });
  bar.start(total, 0);
  return bar;
}

export const usersExport = defineCommand({
  name: 'users export',
  summary: 'every account as CSV (or JSON with --json), recorded in the history',
  synopsis: '[--file users.csv]',
  details:
    `Columns: ${EXPORT_COLUMNS.join(', ')}. No password hash and no authenticator key leaves this way\n` +
    '(an admin exports a key, recorded and notified, through the API).',
  flags: { file: { type: 'string', value: 'FILE', description: 'write to FILE instead of stdout' } },
  async run({ json, withRuntime }, flags) {
    return withRuntime(async ({ core }) => {
      const users: AdminUserView[] = [];
      for (let offset = 0; ; offset += EXPORT_PAGE) {
        const page = await core.userAdmin.list(OPERATOR, { limit: EXPORT_PAGE, offset });
        users.push(...page.items);
        if (page.items.length < EXPORT_PAGE) break;
      }
      await core.history.record(
        { userId: null, method: 'account', action: 'export', enabled: true, details: { accounts: users.length } },
        changeContextFor(OPERATOR, null),
      );
      const csv = stringify(
        users.map((user) => [
          user.username,
          user.email ?? '',
          user.phone ?? '',
          user.externalId ?? '',
          user.role,
          user.methods.join(' '),
          String(user.disabled),
          user.createdAt,
        ]),
        { header: true, columns: EXPORT_COLUMNS },
      );
      if (flags.file !== undefined) {
        // The file holds contact details: only its owner may read it.
        await writeFile(flags.file, json ? JSON.stringify(users, null, 2) : csv, { mode: 0o600 });
        return {
          data: { exported: users.length, file: flags.file },
          text: `exported ${users.length} accounts to ${flags.file}`,
        };
      }
      return { data: users, text: csv.trimEnd() };
    });
  },
});
