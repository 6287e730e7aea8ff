import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOTP_PARAMS, OTP_ALGORITHMS, type OtpAlgorithm, type TotpParams } from './algorithms.js';
import { matchingSteps, timeStep, totpAt } from './totp.js';

const ascii = (text: string) => new TextEncoder().encode(text);

// RFC 6238 Appendix B: the SHA1 seed is 20 bytes, SHA256 32, SHA512 64 (see its reference implementation).
const SEEDS: Record<OtpAlgorithm, Uint8Array> = {
  SHA1: ascii('12345678901234567890'),
  SHA256: ascii('12345678901234567890123456789012'),
  SHA512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
};

// RFC 6238 Appendix B, every row: [time, T (hex), SHA1, SHA256, SHA512].
const APPENDIX_B: [number, string, string, string, string][] = [
  [59, '0000000000000001', '94287082', '46119246', '90693936'],
  [1111111109, '00000000023523EC', '07081804', '68084774', '25091201'],
  [1111111111, '00000000023523ED', '14050471', '67062674', '99943326'],
  [1234567890, '000000000273EF07', '89005924', '91819424', '93441116'],
  [2000000000, '0000000003F940AA', '69279037', '90698825', '38618901'],
  [20000000000, '0000000027BC86AA', '65353130', '77737706', '47863826'],
];

const ROWS = APPENDIX_B.flatMap(([time, , sha1, sha256, sha512]) =>
  (
    [
      ['SHA1', sha1],
      ['SHA256', sha256],
      ['SHA512', sha512],
    ] as const
  ).map(([algorithm, code]) => ({ time, algorithm, code })),
);

describe('timeStep', () => {
  it.each(APPENDIX_B)('at %i is T = %s (RFC 6238 Appendix B)', (time, hex) => {
    expect(timeStep(time, 30)).toBe(Number.parseInt(hex, 16));
  });

  it('counts whole periods since the epoch', () => {
    expect(timeStep(0, 30)).toBe(0);
    expect(timeStep(29, 30)).toBe(0);
    expect(timeStep(30, 30)).toBe(1);
    expect(timeStep(119, 60)).toBe(1);
  });
});

describe('totpAt', () => {
  it.each(ROWS)('$algorithm at $time gives $code (RFC 6238 Appendix B)', ({ time, algorithm, code }) => {
    expect(totpAt(SEEDS[algorithm], time, { algorithm, digits: 8, period: 30 })).toBe(code);
  });

  it('agrees with oathtool for random secrets, times and parameters', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 10, maxLength: 64 }),
        fc.integer({ min: 0, max: 2 ** 32 }),
        fc.constantFrom(...OTP_ALGORITHMS),
        fc.constantFrom(6 as const, 8 as const),
        fc.constantFrom(30, 60),
        (key, time, algorithm, digits, period) => {
          const expected = oathtool([
            `--totp=${algorithm.toLowerCase()}`,
            `--digits=${digits}`,
            `--time-step-size=${period}s`,
            '--now',
            `@${time}`,
            Buffer.from(key).toString('hex'),
          ]);
          expect(totpAt(key, time, { algorithm, digits, period })).toBe(expected);
        },
      ),
      { numRuns: 50 },
    );
  });
});

describe('matchingSteps', () => {
  const key = SEEDS.SHA1;
  const params: TotpParams = DEFAULT_TOTP_PARAMS;
  const now = 1234567890;
  const step = timeStep(now, params.period);
  const codeAtStep = (s: number) => totpAt(key, s * params.period, params);

  it('accepts the current step', () => {
    expect(matchingSteps(key, codeAtStep(step), now, params)).toEqual([step]);
  });

  it('accepts one step of drift either way and reports which step matched', () => {
    expect(matchingSteps(key, codeAtStep(step - 1), now, params)).toEqual([step - 1]);
    expect(matchingSteps(key, codeAtStep(step + 1), now, params)).toEqual([step + 1]);
  });

  it('refuses codes two steps away', () => {
    expect(matchingSteps(key, codeAtStep(step - 2), now, params)).toEqual([]);
    expect(matchingSteps(key, codeAtStep(step + 2), now, params)).toEqual([]);
  });

  it('honours a wider or a zero window', () => {
    expect(matchingSteps(key, codeAtStep(step - 2), now, params, 2)).toEqual([step - 2]);
    expect(matchingSteps(key, codeAtStep(step - 1), now, params, 0)).toEqual([]);
  });

  it('returns [] rather than throwing for codes of the wrong length or that are not digits', () => {
    const code = codeAtStep(step);
    for (const wrong of [code.slice(1), `${code}0`, '', 'abcdef', '12 456', '１２３４５６', '\uD800\uD800\uD800']) {
      expect(matchingSteps(key, wrong, now, params)).toEqual([]);
    }
  });

  it('works at the epoch, where the step before does not exist', () => {
    expect(matchingSteps(key, codeAtStep(0), 0, params)).toEqual([0]);
    expect(matchingSteps(key, codeAtStep(1), 0, params)).toEqual([1]);
  });
});

/** Runs oathtool (Debian package `oathtool`); missing, it fails the test rather than skipping it. */
function oathtool(args: string[]): string {
  try {
    return execFileSync('oathtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('oathtool is not installed; install it with `apt-get install oathtool` to run this test');
    }
    throw error;
  }
}
