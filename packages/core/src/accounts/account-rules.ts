import { TesseraError } from '../errors/tessera-error.js';

/** Shared by every entry point (HTTP schemas repeat them for documentation; the core decides). */
export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,64}$/;
/** NIST SP 800-63B §5.1.1.2: at least 8 characters; a generous maximum keeps argon2 input bounded. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;
/**
 * A sub-account's name, as cPanel names them: an e-mail account `info@example.com`, a team user
 * `jane@owner`. The `@` keeps it apart from top-level usernames, which never hold one.
 */
export const SUB_ACCOUNT_USERNAME_PATTERN = /^[A-Za-z0-9._+-]{1,64}@[A-Za-z0-9.-]{1,253}$/;
/** A DNS name of at least two labels (cPanel's primary domain), letters, digits and hyphens. */
export const DOMAIN_PATTERN = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
/** Deliberately loose: the address is proven by delivering to it, not by a regular expression. */
export const EMAIL_PATTERN = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
/** E.164: a plus, a non-zero country digit, up to 15 digits in all. */
export const PHONE_PATTERN = /^\+[1-9]\d{6,14}$/;

export interface NewAccountInput {
  username: string;
  /** Left out only by an admin, for an account that never signs in with a password. */
  password?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  /** The platform's own id for the user (admins only). */
  externalId?: string | undefined;
}

/** The platform's id for a user: printable, no spaces, bounded (it is a lookup key). */
export const EXTERNAL_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

export function isValidPassword(password: string): boolean {
  return password.length >= PASSWORD_MIN_LENGTH && password.length <= PASSWORD_MAX_LENGTH;
}

export function assertValidAccountInput(input: NewAccountInput, kind: 'top_level' | 'sub_account' = 'top_level'): void {
  const problems: string[] = [];
  if (kind === 'top_level' && !USERNAME_PATTERN.test(input.username)) {
    problems.push('username must be 3-64 letters, digits, ".", "_" or "-"');
  }
  if (kind === 'sub_account' && !SUB_ACCOUNT_USERNAME_PATTERN.test(input.username)) {
    problems.push("a sub-account's username must be name@domain, like info@example.com");
  }
  if (input.password !== undefined && !isValidPassword(input.password)) {
    problems.push(`password must be ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters`);
  }
  if (input.email !== undefined && !EMAIL_PATTERN.test(input.email)) problems.push('email is not an e-mail address');
  if (input.externalId !== undefined && !EXTERNAL_ID_PATTERN.test(input.externalId)) {
    problems.push('externalId must be 1-128 printable ASCII characters without spaces');
  }
  if (input.phone !== undefined && !PHONE_PATTERN.test(input.phone)) {
    problems.push('phone must be in E.164 form, like +359888123456');
  }
  if (problems.length > 0) throw new TesseraError('VALIDATION_FAILED', { message: `${problems.join('; ')}.` });
}
