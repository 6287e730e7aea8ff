import { readFileSync } from 'node:fs';
import { ERROR_CODES, type ErrorCode } from '@tessera/contract';
import { describe, expect, it } from 'vitest';
import { NATIVE_STATUS } from './native-status.js';

const ERRORS_DOC = new URL('../../../../docs/errors.md', import.meta.url);

/** The rows of the table in docs/errors.md: | `CODE` | status | message | (padded by the formatter). */
function documentedRows(): { code: string; status: number; message: string }[] {
  return readFileSync(ERRORS_DOC, 'utf8')
    .split('\n')
    .map((line) => /^\|\s*`([A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|\s*(.+?)\s*\|$/.exec(line.trim()))
    .filter((match) => match !== null)
    .map(([, code, status, message]) => ({ code: code ?? '', status: Number(status), message: message ?? '' }));
}

describe('docs/errors.md', () => {
  const rows = documentedRows();
  const codes = Object.keys(ERROR_CODES) as ErrorCode[];

  it('lists every error code once, and no other', () => {
    expect(rows.map((row) => row.code).sort()).toEqual([...codes].sort());
  });

  it('gives each code its native HTTP status and default message', () => {
    const expected = codes.map((code) => ({ code, status: NATIVE_STATUS[code], message: ERROR_CODES[code] }));
    const byCode = (a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code);
    expect([...rows].sort(byCode)).toEqual(expected.sort(byCode));
  });
});
