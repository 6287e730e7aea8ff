import { DEFAULT_DELIVERED_CODE_POLICY, type DeliveredCodePolicy } from '../delivery/delivered-code-service.js';
import { DEFAULT_LOCKOUT_POLICY, type LockoutPolicy } from '../lockout/lockout-policy.js';
import { type BackupCodePolicy, DEFAULT_BACKUP_CODE_POLICY } from '../methods/backup-codes/backup-code-service.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Everything Tessera reads from its environment, validated. README.md lists the variables. */
export interface Config {
  /** `PORT`: TCP port of the HTTP server. @default 8080 */
  port: number;
  /** `HOST`: address to listen on. @default "127.0.0.1" */
  host: string;
  /** `TESSERA_DATA_DIR`: holds `tessera.db` and, when no key is configured, `secret.key`. @default "./data" */
  dataDir: string;
  /** `TESSERA_DATABASE_URL`: a `postgres://` URL selects PostgreSQL; unset means SQLite in the data dir. */
  databaseUrl: string | undefined;
  /** `TESSERA_SECRET_KEY`: base64 of 32 bytes; seals secrets at rest and keys the token hashes. */
  secretKey: Uint8Array | undefined;
  /** `TESSERA_ISSUER`: default issuer name in otpauth URIs. @default "Tessera" */
  issuer: string;
  /** `TESSERA_LOG_LEVEL`. @default "info" */
  logLevel: LogLevel;
  /** `TESSERA_LOCKOUT_MAX_FAILURES`, `TESSERA_LOCKOUT_BASE_SECONDS`, `TESSERA_LOCKOUT_MAX_SECONDS`. */
  lockout: LockoutPolicy;
  /**
   * `TESSERA_CODE_DIGITS` (4-10, default 6), `TESSERA_CODE_TTL_SECONDS` (default 600),
   * `TESSERA_CODE_MAX_ATTEMPTS` (default 5), `TESSERA_CODE_RESEND_SECONDS` (default 60),
   * `TESSERA_CODE_HOURLY_LIMIT` (default 10): codes sent by SMS and e-mail.
   */
  deliveredCodes: DeliveredCodePolicy;
  /** `TESSERA_BACKUP_CODE_COUNT` (default 10), `TESSERA_BACKUP_CODE_DIGITS` (default 8). */
  backupCodes: BackupCodePolicy;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export const ISSUER_PATTERN = /^[A-Za-z0-9 ._-]{1,32}$/;

/** Reads and validates the configuration; every bad value is reported at once. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const problems: string[] = [];

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  const port = integer('PORT', 8080, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const dataDir = env.TESSERA_DATA_DIR || './data';

  const databaseUrl = env.TESSERA_DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('TESSERA_DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite)');
  }

  let secretKey: Uint8Array | undefined;
  if (env.TESSERA_SECRET_KEY) {
    secretKey = parseSecretKey(env.TESSERA_SECRET_KEY);
    if (!secretKey) problems.push('TESSERA_SECRET_KEY must be the base64 encoding of exactly 32 bytes');
  }

  const issuer = env.TESSERA_ISSUER ?? 'Tessera';
  if (!ISSUER_PATTERN.test(issuer)) {
    problems.push('TESSERA_ISSUER must be 1-32 letters, digits, spaces, ".", "_" or "-"');
  }

  const logLevel = (env.TESSERA_LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`TESSERA_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const lockout: LockoutPolicy = {
    maxFailures: integer('TESSERA_LOCKOUT_MAX_FAILURES', DEFAULT_LOCKOUT_POLICY.maxFailures, 1, 1_000_000),
    baseLockSeconds: integer('TESSERA_LOCKOUT_BASE_SECONDS', DEFAULT_LOCKOUT_POLICY.baseLockSeconds, 1, 86_400),
    maxLockSeconds: integer('TESSERA_LOCKOUT_MAX_SECONDS', DEFAULT_LOCKOUT_POLICY.maxLockSeconds, 1, 604_800),
  };
  if (lockout.maxLockSeconds < lockout.baseLockSeconds) {
    problems.push('TESSERA_LOCKOUT_MAX_SECONDS must not be less than TESSERA_LOCKOUT_BASE_SECONDS');
  }

  const d = DEFAULT_DELIVERED_CODE_POLICY;
  const deliveredCodes: DeliveredCodePolicy = {
    digits: integer('TESSERA_CODE_DIGITS', d.digits, 4, 10),
    ttlSeconds: integer('TESSERA_CODE_TTL_SECONDS', d.ttlSeconds, 30, 86_400),
    maxAttempts: integer('TESSERA_CODE_MAX_ATTEMPTS', d.maxAttempts, 1, 100),
    resendCooldownSeconds: integer('TESSERA_CODE_RESEND_SECONDS', d.resendCooldownSeconds, 0, 3600),
    hourlyLimit: integer('TESSERA_CODE_HOURLY_LIMIT', d.hourlyLimit, 1, 10_000),
  };
  const backupCodes: BackupCodePolicy = {
    count: integer('TESSERA_BACKUP_CODE_COUNT', DEFAULT_BACKUP_CODE_POLICY.count, 1, 100),
    digits: integer('TESSERA_BACKUP_CODE_DIGITS', DEFAULT_BACKUP_CODE_POLICY.digits, 8, 16),
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    dataDir,
    databaseUrl,
    secretKey,
    issuer,
    logLevel,
    lockout,
    deliveredCodes,
    backupCodes,
  };
}

/** Base64 (standard or URL alphabet) of exactly 32 bytes, or undefined. */
export function parseSecretKey(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? new Uint8Array(bytes) : undefined;
}
