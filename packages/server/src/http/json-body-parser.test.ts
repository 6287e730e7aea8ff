import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDuplicateKey } from './json-body-parser.js';

describe('findDuplicateKey', () => {
  it.each([
    ['{"a":1,"a":2}', 'a'],
    ['{"a":1,"b":{"c":1,"c":2}}', 'c'],
    ['[{"x":1},{"y":1,"y":1}]', 'y'],
    ['{"code":"1","\\u0063ode":"2"}', 'code'],
    ['{"a\\"b":1,"a\\"b":2}', 'a"b'],
    ['{"":1,"":2}', ''],
    ['{ "a" : 1 , "a" : 2 }', 'a'],
  ])('finds the key repeated in %s', (text, key) => {
    expect(findDuplicateKey(text)).toBe(key);
  });

  it.each([
    '{"a":1,"b":2}',
    '{"a":{"a":{"a":1}}}',
    '[{"a":1},{"a":2}]',
    '{"a":"a","b":"a"}',
    '{"a":["a","a"],"b":{"a":"b"}}',
    '{"a\\\\":1,"a":2}',
    '{"a":"\\"a\\":1,","b":2}',
    '"a"',
    '[]',
    '{}',
  ])('finds none in %s', (text) => {
    expect(findDuplicateKey(text)).toBeUndefined();
  });

  it('finds none in any JSON.stringify output, and finds a key written twice anywhere', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (value, key) => {
        expect(findDuplicateKey(JSON.stringify(value))).toBeUndefined();
        const repeated = `{${JSON.stringify(key)}:${JSON.stringify(value)},${JSON.stringify(key)}:1}`;
        expect(findDuplicateKey(`[${JSON.stringify(value)},${repeated}]`)).toBe(key);
      }),
    );
  });

  it('copes with nesting deeper than the stack', () => {
    const depth = 200_000;
    expect(findDuplicateKey(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`)).toBeUndefined();
    expect(findDuplicateKey(`${'['.repeat(depth)}{"a":1,"a":1}${']'.repeat(depth)}`)).toBe('a');
  });
});
