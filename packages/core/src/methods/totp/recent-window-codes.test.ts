import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOTP_PARAMS, decodeBase32, hotp, matchingSteps, type TotpParams, totpAt } from '../../otp/index.js';
import { RecentWindowCodes, WINDOW_CODES_TTL_MS, type WindowCodesOwner } from './recent-window-codes.js';

const key = decodeBase32('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
const otherKey = decodeBase32('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
// 10 s into a 30 s step, so a few seconds later is still the same window.
const start = new Date(1_800_000_010_000);
const owner: WindowCodesOwner = { factorId: 'f1', sealedSecret: 'v1.k.sealed-a', params: DEFAULT_TOTP_PARAMS };
const later = (millis: number) => new Date(start.getTime() + millis);

/** The codes of steps under `k`, counting how often the key had to be used. */
function counting(k: Uint8Array, params: TotpParams = DEFAULT_TOTP_PARAMS) {
  const calls = { count: 0 };
  const codesOf = (steps: number[]) => {
    calls.count++;
    return steps.map((step) => hotp(k, step, params));
  };
  return { calls, codesOf };
}

describe('the codes of a recently checked window', () => {
  it('match exactly the steps a check with the key matches', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000 }),
        fc.integer({ min: -2, max: 2 }),
        fc.constantFrom<TotpParams>(DEFAULT_TOTP_PARAMS, { algorithm: 'SHA256', digits: 8, period: 60 }),
        fc.boolean(),
        (seconds, drift, params, rightCode) => {
          const memory = new RecentWindowCodes();
          const now = new Date(seconds * 1000);
          const at = Math.max(0, seconds + drift * params.period);
          const code = rightCode ? totpAt(key, at, params) : '000000';
          const { codesOf } = counting(key, params);
          const found = memory.matchingSteps({ ...owner, params }, code, now, 1, codesOf);
          expect(found).toEqual(matchingSteps(key, code, seconds, params, 1));
        },
      ),
    );
  });

  it('use the key once for a burst of attempts within a few seconds', () => {
    const memory = new RecentWindowCodes();
    const { calls, codesOf } = counting(key);
    const right = totpAt(key, start.getTime() / 1000, DEFAULT_TOTP_PARAMS);
    for (let i = 0; i < 20; i++) memory.matchingSteps(owner, '123456', later(i * 100), 1, codesOf);
    expect(memory.matchingSteps(owner, right, later(2_500), 1, codesOf)).toHaveLength(1);
    expect(calls.count).toBe(1);
  });

  it('are forgotten after a few seconds: the key is used again', () => {
    const memory = new RecentWindowCodes();
    const { calls, codesOf } = counting(key);
    memory.matchingSteps(owner, '123456', start, 1, codesOf);
    memory.matchingSteps(owner, '123456', later(WINDOW_CODES_TTL_MS - 1), 1, codesOf);
    expect(calls.count).toBe(1);
    memory.matchingSteps(owner, '123456', later(WINDOW_CODES_TTL_MS), 1, codesOf);
    expect(calls.count).toBe(2);
  });

  it('are computed again when the window moves to the next step', () => {
    const memory = new RecentWindowCodes(60_000);
    const { calls, codesOf } = counting(key);
    memory.matchingSteps(owner, '123456', start, 1, codesOf);
    const nextStep = later(20_000); // 30 s into the step of `start`: the next one
    const code = totpAt(key, nextStep.getTime() / 1000 + 30, DEFAULT_TOTP_PARAMS);
    expect(memory.matchingSteps(owner, code, nextStep, 1, codesOf)).toHaveLength(1);
    expect(calls.count).toBe(2);
  });

  it("never match a replaced key's codes: another sealed key is another window", () => {
    const memory = new RecentWindowCodes();
    const oldKey = counting(key);
    const oldCode = totpAt(key, start.getTime() / 1000, DEFAULT_TOTP_PARAMS);
    expect(memory.matchingSteps(owner, oldCode, start, 1, oldKey.codesOf)).toHaveLength(1);
    // The same factor id with a new key (sealed anew): the old key's code must fail at once.
    const replaced = { ...owner, sealedSecret: 'v1.k.sealed-b' };
    const newKey = counting(otherKey);
    expect(memory.matchingSteps(replaced, oldCode, later(100), 1, newKey.codesOf)).toEqual([]);
    expect(newKey.calls.count).toBe(1);
  });

  it('are not shared between parameters: another digit count is computed apart', () => {
    const memory = new RecentWindowCodes();
    const eight: TotpParams = { ...DEFAULT_TOTP_PARAMS, digits: 8 };
    memory.matchingSteps(owner, '123456', start, 1, counting(key).codesOf);
    const { calls, codesOf } = counting(key, eight);
    const code = totpAt(key, start.getTime() / 1000, eight);
    expect(memory.matchingSteps({ ...owner, params: eight }, code, later(100), 1, codesOf)).toHaveLength(1);
    expect(calls.count).toBe(1);
  });

  it('keep at most their capacity of accounts, forgetting the oldest first', () => {
    const memory = new RecentWindowCodes();
    const { calls, codesOf } = counting(key);
    for (let i = 0; i <= 10_000; i++) memory.matchingSteps({ ...owner, factorId: `f${i}` }, '1', start, 1, codesOf);
    expect(calls.count).toBe(10_001);
    memory.matchingSteps({ ...owner, factorId: 'f10000' }, '1', start, 1, codesOf);
    expect(calls.count).toBe(10_001);
    memory.matchingSteps({ ...owner, factorId: 'f0' }, '1', start, 1, codesOf);
    expect(calls.count).toBe(10_002);
  });
});
