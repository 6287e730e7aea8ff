/** A markdown table, each column padded to one width as prettier lays it out, for readable source. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [header, ...rows].map((row) => header.map((_, column) => escapeCell(row[column] ?? '')));
  const widths = header.map((_, column) => Math.max(3, ...lines.map((cells) => cells[column]?.length ?? 0)));
  const format = (cells: readonly string[]): string =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [head = [], ...body] = lines;
  return [format(head), format(widths.map((width) => '-'.repeat(width))), ...body.map(format)].join('\n');
}

/**
 * Replaces the first table of the section under `heading` (a whole line, like "## Configuration")
 * with `table`, leaving the rest of the document as it is.
 */
export function replaceTableUnder(markdown: string, heading: string, table: string): string {
  const lines = markdown.split('\n');
  const headingAt = lines.indexOf(heading);
  if (headingAt < 0) throw new Error(`No "${heading}" heading to put the table under.`);
  let start = headingAt + 1;
  while (start < lines.length && !lines[start]?.startsWith('|')) {
    if (lines[start]?.startsWith('#')) break;
    start++;
  }
  if (!lines[start]?.startsWith('|')) throw new Error(`No table in the "${heading}" section.`);
  let end = start;
  while (lines[end]?.startsWith('|')) end++;
  return [...lines.slice(0, start), table, ...lines.slice(end)].join('\n');
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|');
}
