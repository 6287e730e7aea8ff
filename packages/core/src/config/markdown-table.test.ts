import { describe, expect, it } from 'vitest';
import { markdownTable, replaceTableUnder } from './markdown-table.js';

describe('markdown tables', () => {
  it('pads every column to its widest cell and escapes pipes', () => {
    expect(
      markdownTable(
        ['A', 'Meaning'],
        [
          ['`x`', 'one | two'],
          ['`long`', 'z'],
        ],
      ),
    ).toBe(
      [
        '| A      | Meaning    |',
        '| ------ | ---------- |',
        '| `x`    | one \\| two |',
        '| `long` | z          |',
      ].join('\n'),
    );
  });

  it('replaces the first table under a heading and nothing else', () => {
    const doc = [
      '# T',
      '',
      '| a |',
      '| - |',
      '',
      '## S',
      '',
      'Text.',
      '',
      '| b |',
      '| - |',
      '| 1 |',
      '',
      'After.',
    ].join('\n');
    expect(replaceTableUnder(doc, '## S', '| new |')).toBe(
      ['# T', '', '| a |', '| - |', '', '## S', '', 'Text.', '', '| new |', '', 'After.'].join('\n'),
    );
  });

  it('refuses a missing heading, or a section without a table', () => {
    expect(() => replaceTableUnder('# T\n\n| a |', '## S', '| new |')).toThrow(/No "## S" heading/);
    expect(() => replaceTableUnder('## S\n\nText.\n\n## U\n\n| a |', '## S', '| new |')).toThrow(/No table/);
  });
});
