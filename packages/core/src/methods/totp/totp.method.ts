import { timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../../crypto/secret-box.js';
import { TesseraError } from '../../errors/tessera-error.js';
import {
  buildOtpauthUri,
  DEFAULT_TOTP_PARAMS,
  decodeBase32,
  encodeBase32,
  generateTotpSecret,
  hotp,
  OtpFormatError,
  qrPngDataUrl,
  qrSvg,
  type TotpParams,
} from '../../otp/index.js';
import type { FactorOf } from '../../storage/records.js';
import type { FactorRepository } from '../../storage/repositories.js';
import { isCodeShaped, type Proof, proofCode, type SecondFactorMethod } from '../second-factor-method.js';
import { RecentWindowCodes } from './recent-window-codes.js';

export interface TotpEnrollmentDisplay {
  /** Base32, for typing into an app by hand. Shown once, never again. */
  secret: string;
  otpauthUri: string;
  qrPngDataUrl: string;
  qrSvg: string;
  params: TotpParams;
}

type TotpFactor = FactorOf<'totp'>;

/** RFC 6238 §5.2 recommends at most one step of drift either way. */
const WINDOW = 1;

/** Authenticator apps (RFC 6238): a key shared once through a QR code, codes made on the device. */
export function totpMethod(deps: {
  secretBox: SecretBox;
  factors: FactorRepository;
  /** The codes of recently checked windows (recent-window-codes.ts); one of its own unless given. */
  windowCodes?: RecentWindowCodes;
}): SecondFactorMethod<'totp'> {
  const { secretBox, factors } = deps;
  const windowCodes = deps.windowCodes ?? new RecentWindowCodes();
  const newerStep = (factor: TotpFactor, proof: Proof, now: Date) =>
    newerStepOf(secretBox, windowCodes, factor, proof, now);
  return {
    kind: 'totp',
    channel: null,
    quietBegin: true,

    async begin({ factorId, user, issuer, totp, totpSecretBits }) {
      const params: TotpParams = { ...DEFAULT_TOTP_PARAMS, ...totp };
      const key = generateTotpSecret(totpSecretBits);
      const display = await totpEnrollmentDisplay(key, { issuer, accountName: user.username }, params);
      const sealedSecret = secretBox.seal(key, totpSealContext(factorId));
      key.fill(0);
      return {
        activation: 'confirm',
        details: { sealedSecret, ...params, lastUsedStep: null },
        totp: display,
      };
    },

    assertWellFormed(factor, proof) {
      const { digits } = factor.details;
      if (!isCodeShaped(proof, digits)) {
        throw new TesseraError('CODE_MALFORMED', { message: `The code must be exactly ${digits} digits.` });
      }
    },

    async verify(factor, proof, { now }) {
      const found = newerStep(factor, proof, now);
      if (!found.ok) return found;
      const { step } = found;
      // A pending factor records its step when it is activated, in the same write.
      if (factor.status === 'active' && !(await factors.recordUsedStep(factor.id, step))) {
        return { ok: false, reason: 'replayed', notice: REPLAYED };
      }
      return { ok: true, usedStep: step };
    },

    match(factor, proof, { now }) {
      const found = newerStep(factor, proof, now);
      if (!found.ok) return found;
      const { step } = found;
      return {
        ok: true,
        usedStep: step,
        replayNotice: REPLAYED,
        spend: (clearFailures) => factors.recordUsedStepClearingFailures(factor.id, step, clearFailures),
      };
    },

    describe(factor) {
      const { algorithm, digits, period } = factor.details;
      return { algorithm, digits, period };
    },

    codeDigits(factor) {
      return factor.details.digits;
    },
  };
}

const REPLAYED = { type: 'replayed_code_refused' } as const;

/**
 * The earliest step of the window whose code is the proof and that is newer than the last
 * accepted one; `replayed` when only older or equal steps match. Storage re-checks the step in
 * its conditional UPDATE, which is what settles races between processes.
 */
function newerStepOf(
  secretBox: SecretBox,
  windowCodes: RecentWindowCodes,
  factor: TotpFactor,
  proof: Proof,
  now: Date,
): { ok: true; step: number } | { ok: false; reason: 'replayed' | 'wrong_code'; notice?: typeof REPLAYED } {
  const code = proofCode(proof, factor.details.digits) ?? '';
  const params = totpParams(factor);
  const owner = { factorId: factor.id, sealedSecret: factor.details.sealedSecret, params };
  const steps = windowCodes.matchingSteps(owner, code, now, WINDOW, (wanted) => {
    const key = openTotpKey(secretBox, factor);
    try {
      return wanted.map((step) => hotp(key, step, params));
    } finally {
      key.fill(0);
    }
  });
  const { lastUsedStep } = factor.details;
  const step = steps.find((s) => lastUsedStep === null || s > lastUsedStep);
  if (step !== undefined) return { ok: true, step };
  return steps.length > 0 ? { ok: false, reason: 'replayed', notice: REPLAYED } : { ok: false, reason: 'wrong_code' };
}

/** What a person sees to set up an app with `key`: the key in base32, its otpauth URI and QR code. */
export async function totpEnrollmentDisplay(
  key: Uint8Array,
  names: { issuer: string; accountName: string },
  params: TotpParams,
): Promise<TotpEnrollmentDisplay> {
  const secret = encodeBase32(key);
  const otpauthUri = buildOtpauthUri({ ...names, secret, ...params });
  const [png, svg] = await Promise.all([qrPngDataUrl(otpauthUri), qrSvg(otpauthUri)]);
  return { secret, otpauthUri, qrPngDataUrl: png, qrSvg: svg, params };
}

export function totpParams(factor: TotpFactor): TotpParams {
  const { algorithm, digits, period } = factor.details;
  return { algorithm, digits, period };
}

/**
 * Whether `secret` (base32, as the vendor APIs send it back) is the key issued for this factor.
 * Compared as bytes in constant time, ignoring case, spaces and padding as apps show them.
 */
export function issuedSecretMatches(secretBox: SecretBox, factor: TotpFactor, secret: string): boolean {
  let offered: Uint8Array;
  try {
    offered = decodeBase32(secret.replace(/[\s=]/g, '').toUpperCase());
  } catch (error) {
    if (error instanceof OtpFormatError) return false;
    throw error;
  }
  const issued = openTotpKey(secretBox, factor);
  const same = issued.length === offered.length && timingSafeEqual(issued, offered);
  issued.fill(0);
  return same;
}

/** Seals a key brought from another system (an admin's migration import). */
export function sealTotpKey(secretBox: SecretBox, factorId: string, key: Uint8Array): string {
  return secretBox.seal(key, totpSealContext(factorId));
}

/** The raw key: for checking codes, and for an admin's migration export (recorded in the history). */
export function openTotpKey(secretBox: SecretBox, factor: TotpFactor): Buffer {
  return secretBox.open(factor.details.sealedSecret, totpSealContext(factor.id));
}

/** What a TOTP key is bound to when sealed: its factor (also used by the key rotation). */
export function totpSealContext(factorId: string): string {
  return `factor:${factorId}`;
}
