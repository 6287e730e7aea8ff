import { DEFAULT_TOTP_PARAMS, OTP_ALGORITHMS, type OtpAlgorithm, type OtpDigits } from './algorithms.js';
import { decodeBase32, encodeBase32 } from './base32.js';
import { OtpFormatError } from './otp-format-error.js';

// Google's Key URI Format (github.com/google/google-authenticator/wiki/Key-Uri-Format),
// written by hand because it is what every authenticator app scans.

export interface OtpauthKey {
  /** '' only when a parsed URI named no issuer; `buildOtpauthUri` requires one. */
  issuer: string;
  accountName: string;
  /** Canonical base32: RFC 4648 alphabet, uppercase, no padding. */
  secret: string;
  algorithm: OtpAlgorithm;
  digits: OtpDigits;
  period: number;
}

const PREFIX = 'otpauth://totp/';
/** Above five minutes a "one-time" code is valid for too long to be worth the name. */
const MAX_PERIOD = 300;

/**
 * `otpauth://totp/Issuer:account?secret=...&issuer=...&algorithm=...&digits=...&period=...`
 *
 * Both label parts go through encodeURIComponent, so spaces become %20 (some
 * apps show a `+` literally) and the single separating colon stays literal.
 * The issuer is written both as label prefix and as parameter, as the format
 * recommends for apps that only read one of them.
 *
 * @throws OtpFormatError for a key that could not be read back unchanged.
 */
export function buildOtpauthUri(key: OtpauthKey): string {
  if (key.issuer === '') throw new OtpFormatError('issuer', 'Issuer must not be empty');
  // The format: "Neither issuer nor account name may themselves contain a colon."
  if (key.issuer.includes(':')) throw new OtpFormatError('issuer', 'Issuer must not contain ":"');
  if (key.accountName === '') throw new OtpFormatError('accountName', 'Account name must not be empty');
  if (key.accountName.includes(':')) throw new OtpFormatError('accountName', 'Account name must not contain ":"');
  // The format lets spaces precede the account name as decoration, so parsers strip them.
  if (key.accountName.startsWith(' ')) {
    throw new OtpFormatError('accountName', 'Account name must not start with a space');
  }
  checkAlgorithm(key.algorithm);
  checkDigits(key.digits);
  checkPeriod(key.period);
  const secret = encodeBase32(decodeBase32(key.secret));

  const issuer = encode('issuer', key.issuer);
  const label = `${issuer}:${encode('accountName', key.accountName)}`;
  return `${PREFIX}${label}?secret=${secret}&issuer=${issuer}&algorithm=${key.algorithm}&digits=${key.digits}&period=${key.period}`;
}

/**
 * Reads a TOTP key URI. Absent algorithm, digits and period take the
 * defaults; unknown extra parameters (e.g. `image`) are ignored as the format asks.
 *
 * @throws OtpFormatError naming the offending field.
 */
export function parseOtpauthUri(uri: string): OtpauthKey {
  if (uri.slice(0, PREFIX.length).toLowerCase() !== PREFIX) {
    throw new OtpFormatError('uri', `Not a TOTP key URI: expected it to start with "${PREFIX}"`);
  }
  const rest = uri.slice(PREFIX.length).split('#')[0] ?? '';
  const questionMark = rest.indexOf('?');
  const rawLabel = questionMark === -1 ? rest : rest.slice(0, questionMark);
  const params = parseQuery(questionMark === -1 ? '' : rest.slice(questionMark + 1));

  // Issuer prefix and account are separated by a literal or encoded colon, so split after decoding.
  const label = decode('uri', rawLabel);
  const parts = label.split(':');
  if (parts.length > 2) throw new OtpFormatError('uri', 'Label must contain at most one ":"');
  const [first = '', second] = parts;
  const labelIssuer = second === undefined ? undefined : first;
  const accountName = second === undefined ? first : second.replace(/^ +/, '');
  if (accountName === '') throw new OtpFormatError('accountName', 'Label has no account name');

  const paramIssuer = params.get('issuer');
  if (paramIssuer?.includes(':')) throw new OtpFormatError('issuer', 'Issuer must not contain ":"');
  if (labelIssuer !== undefined && paramIssuer !== undefined && labelIssuer !== paramIssuer) {
    throw new OtpFormatError(
      'issuer',
      `Issuer parameter "${paramIssuer}" disagrees with label prefix "${labelIssuer}"`,
    );
  }

  const rawSecret = params.get('secret');
  if (rawSecret === undefined) throw new OtpFormatError('secret', 'Missing secret parameter');
  const secret = encodeBase32(decodeBase32(rawSecret));

  const rawAlgorithm = params.get('algorithm');
  const algorithm = rawAlgorithm === undefined ? DEFAULT_TOTP_PARAMS.algorithm : rawAlgorithm.toUpperCase();
  checkAlgorithm(algorithm);

  const digits = parseInteger('digits', params.get('digits'), DEFAULT_TOTP_PARAMS.digits);
  checkDigits(digits);
  const period = parseInteger('period', params.get('period'), DEFAULT_TOTP_PARAMS.period);
  checkPeriod(period);

  return { issuer: paramIssuer ?? labelIssuer ?? '', accountName, secret, algorithm, digits, period };
}

function checkAlgorithm(algorithm: string): asserts algorithm is OtpAlgorithm {
  if (!(OTP_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new OtpFormatError('algorithm', `Unsupported algorithm "${algorithm}": use ${OTP_ALGORITHMS.join(', ')}`);
  }
}

function checkDigits(digits: number): asserts digits is OtpDigits {
  if (digits !== 6 && digits !== 8) throw new OtpFormatError('digits', `Digits must be 6 or 8, got ${digits}`);
}

function checkPeriod(period: number): void {
  if (!Number.isSafeInteger(period) || period <= 0 || period > MAX_PERIOD) {
    throw new OtpFormatError(
      'period',
      `Period must be a whole number of seconds from 1 to ${MAX_PERIOD}, got ${period}`,
    );
  }
}

function parseInteger(field: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(text)) {
    throw new OtpFormatError(field, `${field} must be a positive integer, got "${text}"`);
  }
  return Number(text);
}

/** A query string as name → value; a repeated name is ambiguous and rejected. */
function parseQuery(query: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    // `+` means space in query strings (WHATWG URL, application/x-www-form-urlencoded); we never write one.
    const name = decode('uri', (equals === -1 ? pair : pair.slice(0, equals)).replaceAll('+', ' '));
    const value = decode(name, (equals === -1 ? '' : pair.slice(equals + 1)).replaceAll('+', ' '));
    if (params.has(name)) throw new OtpFormatError(name, `Parameter "${name}" appears more than once`);
    params.set(name, value);
  }
  return params;
}

function encode(field: string, text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    throw new OtpFormatError(field, `${field} is not well-formed Unicode`); // lone surrogate
  }
}

function decode(field: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new OtpFormatError(field, `${field} has invalid percent-encoding: "${text}"`);
  }
}
