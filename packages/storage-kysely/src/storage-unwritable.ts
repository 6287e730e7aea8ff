import { TesseraError } from '@tessera/core';

/**
 * Telling an SQLite file that cannot take writes (its disk full, its file system read-only, an
 * I/O error from the disk) from a statement that failed on its own merits. SQLite rolls the
 * statement (or the whole transaction) back, so nothing is half-written; the caller is told to
 * come back later (503 STORAGE_UNWRITABLE with Retry-After) instead of getting a 500 that reads
 * like a bug, and the service resumes by itself once space returns. Anything else is left as is.
 */

/** What a caller is told to wait: freeing space is an operator's job, not a reconnect's. */
export const STORAGE_RETRY_AFTER_SECONDS = 30;

/** better-sqlite3's error codes (extended ones too: SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED...). */
const UNWRITABLE_CODES = /^SQLITE_(FULL|READONLY|IOERR)(_|$)/;

export function isStorageUnwritableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && UNWRITABLE_CODES.test(code);
}

/** How often at most the operator is told, while the fault lasts (every write would fail and say so). */
const REPORT_INTERVAL_MS = 60_000;

/**
 * The translation for the SQLite driver: a write the disk refused becomes STORAGE_UNWRITABLE, and
 * `report` hears of it (at most once a minute) so that the log says what is wrong and where.
 */
export interface StorageFault {
  file: string;
  /** SQLite's code: SQLITE_FULL, SQLITE_READONLY, SQLITE_IOERR_WRITE, ... */
  code: string;
  message: string;
}

export function storageUnwritableTranslator(
  file: string,
  report: ((fault: StorageFault) => void) | undefined,
): (error: unknown) => unknown {
  let lastReport = Number.NEGATIVE_INFINITY;
  return (cause) => {
    if (!isStorageUnwritableError(cause)) return cause;
    const error = cause as Error & { code: string };
    const now = Date.now();
    if (report && now - lastReport >= REPORT_INTERVAL_MS) {
      lastReport = now;
      report({ file, code: error.code, message: error.message });
    }
    return new TesseraError('STORAGE_UNWRITABLE', {
      detail: error.message,
      meta: { retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS },
      cause,
    });
  };
}
