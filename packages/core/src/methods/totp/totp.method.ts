import type { SecretBox } from '../../crypto/secret-box.js';
import { TesseraError } from '../../errors/tessera-error.js';
import {
  buildOtpauthUri,
  DEFAULT_TOTP_PARAMS,
  encodeBase32,
  generateTotpSecret,
  matchingSteps,
  qrPngDataUrl,
  qrSvg,
  type TotpParams,
} from '../../otp/index.js';
import type { FactorRecord } from '../../storage/records.js';
import type { AuthMethod } from '../auth-method.js';

export interface TotpEnrollInput {
  issuer: string;
  accountName: string;
  params: TotpParams;
}

export interface TotpEnrollmentDisplay {
  /** Base32, for typing into an app by hand. Shown once, never again. */
  secret: string;
  otpauthUri: string;
  qrPngDataUrl: string;
  qrSvg: string;
  params: TotpParams;
}

/** RFC 6238 §5.2 recommends at most one step of drift either way. */
const WINDOW = 1;

export function totpMethod(secretBox: SecretBox) {
  return {
    kind: 'totp',

    async beginEnrollment(factorId, input) {
      const key = generateTotpSecret();
      const secret = encodeBase32(key);
      const otpauthUri = buildOtpauthUri({
        issuer: input.issuer,
        accountName: input.accountName,
        secret,
        ...input.params,
      });
      const [png, svg] = await Promise.all([qrPngDataUrl(otpauthUri), qrSvg(otpauthUri)]);
      return {
        sealedSecret: secretBox.seal(key, sealContext(factorId)),
        params: JSON.stringify(input.params),
        display: { secret, otpauthUri, qrPngDataUrl: png, qrSvg: svg, params: input.params },
      };
    },

    assertWellFormed(factor, code) {
      const { digits } = totpParams(factor);
      if (!/^\d+$/.test(code) || code.length !== digits) {
        throw new TesseraError('CODE_MALFORMED', { message: `The code must be exactly ${digits} digits.` });
      }
    },

    verify(factor, code, now) {
      const params = totpParams(factor);
      if (factor.sealedSecret === null) throw new Error(`TOTP factor ${factor.id} has no secret`);
      const key = secretBox.open(factor.sealedSecret, sealContext(factor.id));
      const steps = matchingSteps(key, code, Math.floor(now.getTime() / 1000), params, WINDOW);
      key.fill(0);
      // The earliest matching step that is newer than the last accepted one. Storage re-checks
      // this in its conditional UPDATE, which is what settles races.
      const step = steps.find((s) => factor.lastUsedStep === null || s > factor.lastUsedStep);
      if (step !== undefined) return { ok: true, step };
      return { ok: false, reason: steps.length > 0 ? 'replayed' : 'wrong_code' };
    },

    describe(factor) {
      const { algorithm, digits, period } = totpParams(factor);
      return { algorithm, digits, period };
    },
  } satisfies AuthMethod<'totp', TotpEnrollInput, TotpEnrollmentDisplay>;
}

export type TotpMethod = ReturnType<typeof totpMethod>;

export function totpParams(factor: FactorRecord): TotpParams {
  return { ...DEFAULT_TOTP_PARAMS, ...(JSON.parse(factor.params) as Partial<TotpParams>) };
}

/** Seals a key brought from another system (an admin's migration import). */
export function sealTotpKey(secretBox: SecretBox, factorId: string, key: Uint8Array): string {
  return secretBox.seal(key, sealContext(factorId));
}

/** The raw key, for an admin's migration export only (the caller records it in the history). */
export function openTotpKey(secretBox: SecretBox, factor: FactorRecord): Buffer {
  if (factor.sealedSecret === null) throw new Error(`TOTP factor ${factor.id} has no secret`);
  return secretBox.open(factor.sealedSecret, sealContext(factor.id));
}

function sealContext(factorId: string): string {
  return `factor:${factorId}`;
}
