import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * A `|` inside a cell that is not escaped splits the cell: the row then has more cells than its
 * table's header, and renders broken. Every table of the README and docs/ is checked.
 */
const root = new URL('../../', import.meta.url);
const documents = [
  'README.md',
  ...readdirSync(new URL('docs/', root))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The cells of a table row: GitHub splits on every `|` not escaped, inside code spans too. */
function cells(row: string): number {
  let count = 0;
  for (let i = 0; i < row.length; i++) {
    if (row[i] === '\\') i++;
    else if (row[i] === '|') count++;
  }
  return count - 1;
}

describe('markdown tables', () => {
  it.each(documents)('every row of every table in %s has as many cells as its header', (document) => {
    const lines = readFileSync(new URL(document, root), 'utf8').split('\n');
    const broken: string[] = [];
    let header: number | undefined;
    lines.forEach((line, index) => {
      if (!line.startsWith('|')) {
        header = undefined;
        return;
      }
      if (header === undefined) header = cells(line);
      else if (cells(line) !== header) broken.push(`line ${index + 1}: ${cells(line)} cells, header ${header}`);
    });
    expect(broken).toEqual([]);
  });
});
