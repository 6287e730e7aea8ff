import { stepsWithCode, type TotpParams, windowSteps } from '../../otp/index.js';

/** How long the codes of a checked window are remembered: a few seconds, never a whole step. */
export const WINDOW_CODES_TTL_MS = 5_000;

/** Accounts remembered at once; past it the oldest are forgotten first. */
const CAPACITY = 10_000;

/** The factor a window was computed for, as stored: another key or other parameters are another factor. */
export interface WindowCodesOwner {
  factorId: string;
  /** The sealed key as read with the factor: a key replaced or sealed again never meets the old codes. */
  sealedSecret: string;
  params: TotpParams;
}

interface Remembered {
  sealedSecret: string;
  params: TotpParams;
  /** Steps, ascending, and their codes one after the other (`params.digits` bytes each). */
  steps: number[];
  codes: Buffer;
  forgetAt: number;
}

/**
 * The codes of the window t-1..t+1 of a TOTP factor checked in the last few seconds.
 *
 * A check otherwise unseals the key (AES-256-GCM) and computes an HMAC for each step of the
 * window on every attempt: under a burst of guesses at one account, or a platform checking one
 * user's codes in a row, that is a fifth of a verification's CPU. What is kept is the derived
 * codes only, never the key, and for at most WINDOW_CODES_TTL_MS: a code kept is one the account
 * accepts at that moment anyway. Nothing is decided from it but "which steps match": the factor
 * row (its key, its last used step, the lockout) is read on every attempt, and a removed or
 * replaced factor is never looked up, so it needs no invalidation. Kept per process, in memory.
 */
export class RecentWindowCodes {
  private readonly remembered = new Map<string, Remembered>();

  constructor(private readonly ttlMs: number = WINDOW_CODES_TTL_MS) {}

  /**
   * The steps in [T - window, T + window] whose code is `code`, ascending (as matchingSteps).
   * `codesOf` computes the codes of steps from the key; it is called only when the window is not remembered.
   */
  matchingSteps(
    owner: WindowCodesOwner,
    code: string,
    now: Date,
    window: number,
    codesOf: (steps: number[]) => string[],
  ): number[] {
    const millis = now.getTime();
    const wanted = windowSteps(Math.floor(millis / 1000), owner.params.period, window);
    const codes = this.codesFor(owner, wanted, millis, codesOf);
    const { digits } = owner.params;
    return stepsWithCode(wanted, (_step, i) => codes.subarray(i * digits, (i + 1) * digits), code);
  }

  private codesFor(
    owner: WindowCodesOwner,
    wanted: number[],
    millis: number,
    codesOf: (steps: number[]) => string[],
  ): Buffer {
    const entry = this.remembered.get(owner.factorId);
    if (entry && entry.forgetAt > millis && isSameFactor(entry, owner) && sameSteps(entry.steps, wanted)) {
      return entry.codes;
    }
    // One buffer of its own, not Buffer.from's: a small Buffer.from is a slice of a shared 8 KiB
    // pool, and keeping thousands of them for seconds kept thousands of pools alive.
    const codes = Buffer.alloc(wanted.length * owner.params.digits);
    codesOf(wanted).forEach((code, i) => {
      codes.write(code, i * owner.params.digits, 'latin1');
    });
    this.remember(owner, { steps: wanted, codes, forgetAt: millis + this.ttlMs });
    return codes;
  }

  private remember(owner: WindowCodesOwner, window: Pick<Remembered, 'steps' | 'codes' | 'forgetAt'>): void {
    // Deleted first so that the account moves to the newest end of the map's order.
    this.remembered.delete(owner.factorId);
    if (this.remembered.size >= CAPACITY) this.forgetOldest(window.forgetAt - this.ttlMs);
    this.remembered.set(owner.factorId, { sealedSecret: owner.sealedSecret, params: owner.params, ...window });
  }

  /** Forgets what has expired by `millis`, and the oldest entry if none has. */
  private forgetOldest(millis: number): void {
    let forgot = false;
    for (const [factorId, entry] of this.remembered) {
      if (entry.forgetAt > millis) break; // in insertion order, so the rest expire later
      this.remembered.delete(factorId);
      forgot = true;
    }
    if (!forgot) {
      const oldest = this.remembered.keys().next();
      if (!oldest.done) this.remembered.delete(oldest.value);
    }
  }
}

function isSameFactor(entry: Remembered, owner: WindowCodesOwner): boolean {
  const { params } = owner;
  return (
    entry.sealedSecret === owner.sealedSecret &&
    entry.params.algorithm === params.algorithm &&
    entry.params.digits === params.digits &&
    entry.params.period === params.period
  );
}

function sameSteps(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((step, i) => step === b[i]);
}
