import type { FactorKind, FactorRecord } from '../storage/records.js';

/** What a method hands back when enrollment begins: what to store, and what to show once. */
export interface EnrollmentStart<Display> {
  sealedSecret: string | null;
  params: string;
  display: Display;
}

/**
 * The outcome of checking a code (`replayed`: right code, but its step was already used). A wrong code is a value, not an exception: six API shapes
 * call a method and each turns the outcome into its own answer. `step` is what must be
 * recorded (TOTP) for the code to count as used.
 */
export type Verification = { ok: true; step: number | null } | { ok: false; reason: 'wrong_code' | 'replayed' };

/** The one small interface every second-factor method implements. No HTTP, no storage. */
export interface AuthMethod<K extends FactorKind, EnrollInput, Display> {
  readonly kind: K;
  beginEnrollment(factorId: string, input: EnrollInput): Promise<EnrollmentStart<Display>>;
  /** Throws CODE_MALFORMED for a code that cannot be one (checked before any attempt is counted). */
  assertWellFormed(factor: FactorRecord, code: string): void;
  /** A wrong code is `ok: false`. */
  verify(factor: FactorRecord, code: string, now: Date): Verification;
  /** Public, non-secret facts about a factor for listing. */
  describe(factor: FactorRecord): Record<string, string | number>;
}
