import type { ErrorCode } from '@tessera/contract';
import type { SubAccountKind, TotpConfig, UserTwoFactorState } from '@tessera/core';
import { totpFlag } from '../cpanel-common.js';
import type { DialectFailure } from '../dialect-errors.js';

/** WHM API 1's envelope on success: `data` only where the function returns some. */
export interface WhmEnvelope {
  data?: unknown;
  metadata: { command: string; reason: string; result: 0 | 1; version: 1 };
}

export function whmSuccess(command: string, data?: unknown): WhmEnvelope {
  return { ...(data === undefined ? {} : { data }), metadata: { command, reason: 'OK', result: 1, version: 1 } };
}

/**
 * `data` too large to hold whole: its entries, a batch at a time, written out as one JSON object
 * as they come (WHM's `get_user_configs` over every account).
 */
export class StreamedObject {
  constructor(readonly batches: () => AsyncIterable<[string, unknown][]>) {}
}

/**
 * The success envelope around a StreamedObject, as text chunks: the same JSON whmSuccess would
 * give (`data` first, then `metadata`). A failure after the first chunk cannot become a `result: 0`
 * envelope any more; the connection is cut instead, so a client never takes a part for the whole.
 */
export async function* streamedEnvelope(command: string, data: StreamedObject): AsyncGenerator<string> {
  yield '{"data":{';
  let first = true;
  for await (const batch of data.batches()) {
    let chunk = '';
    for (const [key, value] of batch) {
      chunk += `${first ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(value)}`;
      first = false;
    }
    yield chunk;
  }
  yield `},"metadata":${JSON.stringify(whmSuccess(command).metadata)}}`;
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

export interface UserConfig {
  is_enabled: 0 | 1;
  primary_domain: string;
}

/** `get_user_configs`: each account the caller controls, by username, added to `into`. */
export function addUserConfigs(
  into: Record<string, UserConfig>,
  accounts: readonly UserTwoFactorState[],
): Record<string, UserConfig> {
  for (const account of accounts) {
    into[account.username] = { is_enabled: totpFlag(account), primary_domain: account.domain ?? '' };
  }
  return into;
}

/** `get_tfa_config_for_user`'s entry of one account: each section only where it has keys. */
export function tfaConfigEntry(config: TotpConfig): Record<string, unknown> {
  const entry: Record<string, unknown> = {};
  if (config.primary !== undefined) entry.primary_account = { secret: config.primary };
  for (const section of ['email', 'team'] as const) {
    const names = Object.keys(config[section]);
    if (names.length === 0) continue;
    entry[section] = Object.fromEntries(names.map((name) => [name, { secret: config[section][name] }]));
  }
  return entry;
}

/** cPanel's text for a named sub-account that is not the user's. */
export function notOwnedReason(kind: SubAccountKind, name: string, username: string): string {
  return kind === 'email'
    ? `The email account “${name}” does not belong to “${username}”.`
    : `The team user “${name}” does not belong to “${username}”.`;
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
  /** The keys: the primary account's (undefined when the body names none: its 2FA is purged) and each sub-account's. */
  config: TotpConfig;
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
  const keys: TotpConfig = { primary: undefined, email: {}, team: {} };
  if (config.primary_account !== undefined) {
    keys.primary = entrySecret(config.primary_account);
    if (keys.primary === undefined) return { reason: INVALID_INPUT };
  }
  for (const section of ['email', 'team'] as const) {
    const entries = config[section];
    if (entries === undefined) continue;
    if (!isPlainObject(entries)) return { reason: INVALID_INPUT };
    for (const [name, entry] of Object.entries(entries)) {
      const secret = entrySecret(entry);
      if (secret === undefined) return { reason: INVALID_INPUT };
      keys[section][name] = secret;
    }
  }
  return { username, config: keys };
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
