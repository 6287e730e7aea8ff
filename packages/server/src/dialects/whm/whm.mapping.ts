import type { ErrorCode } from '@tessera/contract';
import type { UserTwoFactorState } from '@tessera/core';
import type { DialectFailure } from '../dialect-errors.js';

/** WHM API 1's envelope on success: `data` only where the function returns some. */
export interface WhmEnvelope {
  data?: unknown;
  metadata: { command: string; reason: string; result: 0 | 1; version: 1 };
}

export function whmSuccess(command: string, data?: unknown): WhmEnvelope {
  return { ...(data === undefined ? {} : { data }), metadata: { command, reason: 'OK', result: 1, version: 1 } };
}

/** A failure: result 0, the reason, and no `data` (cPanel returns no payload). */
export function whmFailure(command: string, reason: string): WhmEnvelope {
  return { metadata: { command, reason, result: 0, version: 1 } };
}

export function unknownFunctionReason(command: string): string {
  return `Unknown app (${command}) requested for this version (1) of the API.`;
}

const WRONG_CODE: readonly ErrorCode[] = ['CODE_INVALID', 'CODE_MALFORMED', 'CODE_EXPIRED', 'CODE_ATTEMPTS_EXHAUSTED'];
/** A secret that was never issued to this user, or no longer is: cPanel's "Missing or Invalid". */
const BAD_SECRET: readonly ErrorCode[] = [
  'ENROLLMENT_SECRET_INVALID',
  'ENROLLMENT_EXPIRED',
  'FACTOR_NOT_PENDING',
  'FLOW_NOT_FOUND',
  'FLOW_EXPIRED',
  'FLOW_FINISHED',
];

/**
 * The reason text of a failed call, worded as cPanel words it for that function (catalogue
 * section 2); where cPanel adds the cause after a colon, the cause is Tessera's message.
 */
export function whmReason(command: string, failure: DialectFailure): string {
  const { code, message } = failure;
  if (code === 'FORBIDDEN' && command !== 'twofactorauth_get_user_configs') return 'Access denied';
  switch (command) {
    case 'twofactorauth_generate_tfa_config':
      return `Failed to generate two-factor authentication configuration: ${message}`;
    case 'twofactorauth_set_tfa_config':
      if (WRONG_CODE.includes(code)) return 'The security code is invalid.';
      if (BAD_SECRET.includes(code)) return 'Missing or Invalid: secret';
      return message;
    case 'twofactorauth_set_issuer':
      return `Failed to set issuer: ${message}`;
    case 'twofactorauth_enable_policy':
      return 'Failed to enable the Two-Factor Authentication security policy.';
    case 'twofactorauth_disable_policy':
      return 'Failed to disable Two-Factor Authentication security policy.';
    default:
      return message;
  }
}

/** `get_user_configs`: each account the caller controls, by username. */
export function userConfigs(
  accounts: readonly UserTwoFactorState[],
): Record<string, { is_enabled: 0 | 1; primary_domain: string }> {
  return Object.fromEntries(
    accounts.map((account) => [account.username, { is_enabled: totpFlag(account), primary_domain: '' }]),
  );
}

/** cPanel's 2FA is an authenticator app: `is_enabled` means an active TOTP factor. */
export function totpFlag(account: Pick<UserTwoFactorState, 'methods'>): 0 | 1 {
  return account.methods.includes('totp') ? 1 : 0;
}

export function notAccessible(username: string): string {
  return `You do not have access to an account named “${username}”.`;
}

export function notModifiable(username: string, cause: string): string {
  return `You are not authorized to modify “${username}”: ${cause}`;
}

/** The body of `set_tfa_config_for_user`, checked as cPanel checks it. */
export interface TfaConfigImport {
  username: string;
  /** The primary account's secret; undefined when the body names none (its 2FA is purged). */
  secret: string | undefined;
  email: string[];
  team: string[];
}

export const INVALID_INPUT = 'Invalid data detected in input arguments.';
const SECTIONS = new Set(['primary_account', 'email', 'team']);

/** Parses the body, or returns the reason it is refused. */
export function parseTfaConfigImport(body: unknown): TfaConfigImport | { reason: string } {
  if (!isPlainObject(body)) return { reason: INVALID_INPUT };
  const usernames = Object.keys(body);
  const username = usernames[0];
  if (usernames.length !== 1 || username === undefined) return { reason: INVALID_INPUT };
  const config = body[username];
  if (!isPlainObject(config) || Object.keys(config).some((key) => !SECTIONS.has(key))) return { reason: INVALID_INPUT };
  let secret: string | undefined;
  if (config.primary_account !== undefined) {
    secret = entrySecret(config.primary_account);
    if (secret === undefined) return { reason: INVALID_INPUT };
  }
  const named: Record<'email' | 'team', string[]> = { email: [], team: [] };
  for (const section of ['email', 'team'] as const) {
    const entries = config[section];
    if (entries === undefined) continue;
    if (!isPlainObject(entries)) return { reason: INVALID_INPUT };
    for (const [name, entry] of Object.entries(entries)) {
      if (entrySecret(entry) === undefined) return { reason: INVALID_INPUT };
      named[section].push(name);
    }
  }
  return { username, secret, ...named };
}

/** An entry holds `secret` only, and it is not empty. */
function entrySecret(entry: unknown): string | undefined {
  if (!isPlainObject(entry)) return undefined;
  const keys = Object.keys(entry);
  if (keys.length !== 1 || keys[0] !== 'secret') return undefined;
  return typeof entry.secret === 'string' && entry.secret !== '' ? entry.secret : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
