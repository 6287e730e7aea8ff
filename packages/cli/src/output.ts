/**
 * Human output: one table format for every list, one `key: value` block for every single
 * record. Columns are separated by two spaces and never wrap, so `grep` and `awk` work on them
 * as they do on `ps` or `kubectl get`; scripts that need more use `--json`.
 */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A record as aligned `key: value` lines; null and empty values shown as `-`. */
export function record(fields: [string, unknown][]): string {
  const width = Math.max(...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${cell(value)}`).join('\n');
}

/** A value as one cell: `-` for nothing, lists joined with commas. */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.length === 0 ? '-' : value.map(cell).join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
