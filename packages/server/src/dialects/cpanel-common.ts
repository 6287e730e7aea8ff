import {
  type Actor,
  type Core,
  codeProof,
  numericCodeProof,
  type Proof,
  parseOtpauthUri,
  TesseraError,
  type TotpSecretBits,
  type UserTwoFactorState,
} from '@tessera/core';
import type { FastifyRequest } from 'fastify';
import type { DialectApp } from './dialect.js';
import { SESSION_PREFIX } from './dialect-auth.js';

/**
 * What WHM API 1 and UAPI share: form or query parameters, cPanel's otpauth URI, its codes typed
 * as integers or strings, and its issuer input.
 */

/** A value of a cPanel parameter: text from a query or form; a number or text from a JSON body. */
export type CpanelParams = Record<string, unknown>;

/** A form body larger than this is refused (413), as the app's body limit refuses any other. */
const FORM_BODY_LIMIT_BYTES = 16 * 1024;

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;|$)/i;

function formFields(text: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(text));
}

/**
 * Parses `application/x-www-form-urlencoded` bodies in this context only (cPanel clients send
 * forms); the native API and the other dialects keep refusing anything but JSON.
 *
 * cPanel's server reads a form body on GET as well as on POST, and scripts rely on it: the
 * `cpanel-api` npm client sends every call, and its `/login`, as a GET with a form body. Fastify
 * parses no body on GET, so a GET with a form body is read here, before validation, within the
 * same limit.
 */
export function acceptFormBodies(app: DialectApp): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, formFields(typeof body === 'string' ? body : body.toString('utf8')));
  });
  app.addHook('preValidation', async (request) => {
    if (request.method !== 'GET' || request.body !== undefined) return;
    if (!FORM_TYPE.test(request.headers['content-type'] ?? '')) return;
    request.body = formFields(await readText(request.raw, FORM_BODY_LIMIT_BYTES));
  });
}

/** The rest of a request's body as UTF-8 text; BODY_TOO_LARGE past `limit` bytes. */
async function readText(stream: AsyncIterable<Buffer>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > limit) throw new TesseraError('BODY_TOO_LARGE');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The call's parameters: the query string, and the form or JSON body's top-level fields over it. */
export function cpanelParams(request: FastifyRequest): CpanelParams {
  const query = isRecord(request.query) ? request.query : {};
  const body = isRecord(request.body) ? request.body : {};
  return { ...query, ...body };
}

/** The function named by the last segment of the path (`/json-api/<function>`). */
export function functionOf(request: FastifyRequest): string {
  const path = request.url.split('?')[0] ?? '';
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A parameter as text; undefined when absent, or when it is not text or a number. */
export function textParam(params: CpanelParams, name: string): string | undefined {
  const value = params[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A required parameter, or cPanel's "Missing or Invalid: <name>". */
export function requiredParam(params: CpanelParams, name: string): string {
  const value = textParam(params, name);
  if (value === undefined || value === '') {
    throw new TesseraError('VALIDATION_FAILED', { message: `Missing or Invalid: ${name}` });
  }
  return value;
}

/**
 * `tfa_token`: UAPI types it as an integer (a JSON number loses its leading zeros; the core
 * restores them), WHM as a string; a string of digits from a query or form is taken as it is.
 */
export function tfaTokenProof(params: CpanelParams): Proof {
  const value = params.tfa_token;
  if (typeof value === 'number') return numericCodeProof(value);
  return codeProof(requiredParam(params, 'tfa_token'));
}

/**
 * cPanel's otpauth URI: `otpauth://totp/<issuer>:<account>?secret=…&issuer=…`, without
 * algorithm, digits or period (cPanel relies on the defaults, which are Tessera's too).
 */
export function cpanelOtpauthUri(otpauthUri: string): string {
  const key = parseOtpauthUri(otpauthUri);
  const issuer = encodeURIComponent(key.issuer);
  return `otpauth://totp/${issuer}:${encodeURIComponent(key.accountName)}?secret=${key.secret}&issuer=${issuer}`;
}

/**
 * WHM `generate_tfa_config` and UAPI `generate_user_configuration`: a new pending key for the
 * caller, of the configured size (TESSERA_CPANEL_SECRET_BITS), with cPanel's otpauth URI.
 */
export async function generateCpanelSecret(
  core: Core,
  actor: Actor,
  bits: TotpSecretBits,
): Promise<{ otpauth_str: string; secret: string }> {
  const started = await core.enable.start(actor, { method: 'totp', totpSecretBits: bits });
  // A TOTP enrollment always shows its key.
  const totp = started.totp!;
  return { otpauth_str: cpanelOtpauthUri(totp.otpauthUri), secret: totp.secret };
}

/** The issuer as cPanel takes it: surrounding quotes stripped; empty clears the user's own (null). */
export function issuerInput(value: string): string | null {
  const stripped = value.replace(/^["']+|["']+$/g, '');
  return stripped === '' ? null : stripped;
}

/** Every `user`, `user-1`, `user-2`, … parameter, in order, without duplicates or empties. */
export function numberedUsers(params: CpanelParams): string[] {
  const numbered = Object.keys(params)
    .map((key) => /^user-(\d+)$/.exec(key))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((match) => match[0]);
  const names = ['user', ...numbered].map((key) => textParam(params, key)).filter((name) => name !== undefined);
  return [...new Set(names.filter((name) => name !== ''))];
}

/** The routes as served directly, and again under a cPanel session's `/cpsess<10 digits>` prefix. */
export function cpanelRouteSets(security: Record<string, string[]>[]) {
  return [
    { prefix: '', operationSuffix: '', security },
    { prefix: SESSION_PREFIX, operationSuffix: '_in_session', security: [{ CpanelSession: [] }] },
  ];
}

/**
 * cPanel's 2FA is an authenticator app: `is_enabled` means an active TOTP factor, or a security key
 * (which no cPanel client can answer, but an account that has one has 2FA on and signs in with it
 * only through the native API).
 */
export function totpFlag(account: Pick<UserTwoFactorState, 'methods'>): 0 | 1 {
  return account.methods.includes('totp') || account.methods.includes('webauthn') ? 1 : 0;
}
