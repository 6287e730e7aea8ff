/**
 * Thrown when caller-supplied OTP material is malformed: a secret that is not
 * base32, an otpauth URI that breaks Google's Key URI Format, unsupported
 * digits, and so on. A merely *wrong* one-time code is not malformed input and
 * never produces this error (see `matchingSteps`).
 */
export class OtpFormatError extends Error {
  /** Which input was malformed, e.g. 'secret', 'uri', 'issuer', 'digits'. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'OtpFormatError';
    this.field = field;
  }
}
