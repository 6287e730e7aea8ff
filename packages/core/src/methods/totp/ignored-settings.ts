import { DEFAULT_TOTP_PARAMS, matchingSteps, type TotpParams } from '../../otp/index.js';

/** The drift allowed either way, as for every TOTP check (RFC 6238 §5.2). */
const WINDOW = 1;

/** Whether an enrollment asked for anything but SHA1, 6 digits and 30 seconds. */
export function asksForNonDefaultSettings(params: TotpParams): boolean {
  return (
    params.algorithm !== DEFAULT_TOTP_PARAMS.algorithm ||
    params.digits !== DEFAULT_TOTP_PARAMS.digits ||
    params.period !== DEFAULT_TOTP_PARAMS.period
  );
}

/**
 * Whether `code` is what an app that ignored the enrollment's settings shows: right for the key
 * under SHA1/6/30 and not right under the settings the otpauth URI asked for. Google
 * Authenticator and several other apps read only the secret and the names from the URI and
 * always make SHA1, 6-digit, 30-second codes; such a user can never confirm, and a bare "wrong
 * code" sends them looking for a clock problem. Pure: no I/O, constant work for any code.
 */
export function codeShowsIgnoredSettings(
  key: Uint8Array,
  code: string,
  unixSeconds: number,
  params: TotpParams,
): boolean {
  if (!asksForNonDefaultSettings(params)) return false;
  const underDefaults = matchingSteps(key, code, unixSeconds, DEFAULT_TOTP_PARAMS, WINDOW).length > 0;
  const underAsked = matchingSteps(key, code, unixSeconds, params, WINDOW).length > 0;
  return underDefaults && !underAsked;
}
