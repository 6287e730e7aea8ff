import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from './constant-time-equal.js';

describe('constantTimeEqual', () => {
  it('is true for equal strings', () => {
    expect(constantTimeEqual('123456', '123456')).toBe(true);
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('日本語', '日本語')).toBe(true);
  });

  it('is false for unequal strings of the same length', () => {
    expect(constantTimeEqual('123456', '123457')).toBe(false);
    expect(constantTimeEqual('023456', '123456')).toBe(false);
  });

  it('is false, without throwing, for strings of different lengths', () => {
    expect(constantTimeEqual('123456', '1234567')).toBe(false);
    expect(constantTimeEqual('1234567', '123456')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
  });

  it('agrees with === on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(a === b);
        expect(constantTimeEqual(a, a)).toBe(true);
      }),
    );
  });
});

describe('constantTimeEqual on malformed Unicode', () => {
  it('tells apart different lone surrogates', () => {
    expect(constantTimeEqual('\uD800', '\uDBFF')).toBe(false);
    expect(constantTimeEqual('\uD800', '\uFFFD')).toBe(false);
  });
});
