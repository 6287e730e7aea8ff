import { describe, expect, it } from 'vitest';
import { codeProof, isCodeShaped, numericCodeProof, proofCode } from './second-factor-method.js';

describe('codes as strings and as numbers', () => {
  it('gives a number back the leading zeros it lost', () => {
    expect(proofCode(numericCodeProof(42), 6)).toBe('000042');
    expect(proofCode(numericCodeProof(0), 6)).toBe('000000');
    expect(proofCode(codeProof('004242'), 6)).toBe('004242');
  });

  it('keeps a number that is too long too long, so it is a wrong code rather than a malformed one', () => {
    expect(proofCode(numericCodeProof(1111111), 6)).toBe('1111111');
    expect(isCodeShaped(numericCodeProof(1111111), 6)).toBe(true);
  });

  it('refuses what cannot be a code at all', () => {
    expect(isCodeShaped(numericCodeProof(-1), 6)).toBe(false);
    expect(isCodeShaped(numericCodeProof(1.5), 6)).toBe(false);
    expect(isCodeShaped(numericCodeProof(2 ** 60), 6)).toBe(false);
    expect(isCodeShaped(codeProof('12345'), 6)).toBe(false);
    expect(isCodeShaped(codeProof('12345a'), 6)).toBe(false);
    expect(isCodeShaped({ type: 'assertion', assertion: {} }, 6)).toBe(false);
    expect(isCodeShaped(codeProof('123456'), 6)).toBe(true);
  });
});
