/** HMAC hash functions allowed by RFC 6238 §1.2 and Google's Key URI Format. */
export type OtpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

export const OTP_ALGORITHMS: readonly OtpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];

/** Code lengths accepted by Google's Key URI Format (RFC 4226 §5.3 allows 6 to 8). */
export type OtpDigits = 6 | 8;

export interface TotpParams {
  algorithm: OtpAlgorithm;
  digits: OtpDigits;
  /** Time step X in seconds (RFC 6238 §4.1). */
  period: number;
}

/**
 * SHA1, 6 digits, 30 seconds. Google Authenticator and most other apps ignore
 * the algorithm, digits and period parameters of an otpauth URI and always
 * use these values, so anything else silently produces codes that never
 * match. Keep them as the default for compatibility.
 */
export const DEFAULT_TOTP_PARAMS: TotpParams = { algorithm: 'SHA1', digits: 6, period: 30 };
