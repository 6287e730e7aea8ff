import type { DeliveredCodePolicy } from '../delivery/delivered-code-service.js';
import type { LockoutPolicy } from '../lockout/lockout-policy.js';
import type { BackupCodePolicy } from '../methods/backup-codes/backup-code-service.js';
import {
  BACKUP_CODE_SETTINGS,
  DELIVERED_CODE_SETTINGS,
  HTTP_SETTINGS,
  IDENTITY_SETTINGS,
  LOCKOUT_SETTINGS,
  type LOG_LEVELS,
  SECRET_KEY_PATTERN,
  STORAGE_SETTINGS,
} from './server-settings.js';
import { type Environment, SettingsReader } from './settings-reader.js';

export { ConfigError } from './config-error.js';
export { ISSUER_PATTERN } from './server-settings.js';

export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Everything the server reads from its environment, validated. server-settings.ts declares the
 * variables, with their defaults and bounds; docs/configuration.md lists them.
 */
export interface Config {
  /** `PORT`: TCP port of the HTTP server. */
  port: number;
  /** `HOST`: address to listen on. */
  host: string;
  /** `TESSERA_DATA_DIR`: holds `tessera.db` and, when no key is configured, `secret.key`. */
  dataDir: string;
  /** `TESSERA_DATABASE_URL`: a `postgres://` URL selects PostgreSQL; unset means SQLite in the data dir. */
  databaseUrl: string | undefined;
  /** `TESSERA_SECRET_KEY`: 32 bytes; seals secrets at rest and keys the token hashes. */
  secretKey: Uint8Array | undefined;
  /** `TESSERA_ISSUER`: default issuer name in otpauth URIs. */
  issuer: string;
  /** `TESSERA_LOG_LEVEL`. */
  logLevel: LogLevel;
  /** `TESSERA_LOCKOUT_*`. */
  lockout: LockoutPolicy;
  /** `TESSERA_CODE_*`: codes sent by SMS and e-mail. */
  deliveredCodes: DeliveredCodePolicy;
  /** `TESSERA_BACKUP_CODE_*`. */
  backupCodes: BackupCodePolicy;
}

/** Reads and validates the configuration; every bad value is reported at once, in one ConfigError. */
export function loadConfig(env: Environment): Config {
  const reader = new SettingsReader(env);
  const http = reader.read(HTTP_SETTINGS);
  const storage = reader.read(STORAGE_SETTINGS);
  const identity = reader.read(IDENTITY_SETTINGS);
  const lockout = reader.read(LOCKOUT_SETTINGS);
  const codes = reader.read(DELIVERED_CODE_SETTINGS);
  const backup = reader.read(BACKUP_CODE_SETTINGS);
  reader.finish();

  return {
    port: http.PORT,
    host: http.HOST,
    dataDir: storage.TESSERA_DATA_DIR,
    databaseUrl: storage.TESSERA_DATABASE_URL,
    secretKey: storage.TESSERA_SECRET_KEY === undefined ? undefined : parseSecretKey(storage.TESSERA_SECRET_KEY),
    issuer: identity.TESSERA_ISSUER,
    logLevel: identity.TESSERA_LOG_LEVEL,
    lockout: {
      maxFailures: lockout.TESSERA_LOCKOUT_MAX_FAILURES,
      baseLockSeconds: lockout.TESSERA_LOCKOUT_BASE_SECONDS,
      maxLockSeconds: lockout.TESSERA_LOCKOUT_MAX_SECONDS,
      failureCeiling: lockout.TESSERA_LOCKOUT_FAILURE_CEILING,
    },
    deliveredCodes: {
      digits: codes.TESSERA_CODE_DIGITS,
      ttlSeconds: codes.TESSERA_CODE_TTL_SECONDS,
      maxAttempts: codes.TESSERA_CODE_MAX_ATTEMPTS,
      resendCooldownSeconds: codes.TESSERA_CODE_RESEND_SECONDS,
      hourlyLimit: codes.TESSERA_CODE_HOURLY_LIMIT,
      accountHourlySmsLimit: codes.TESSERA_SMS_ACCOUNT_HOURLY_LIMIT,
      accountDailySmsDestinations: codes.TESSERA_SMS_ACCOUNT_DAILY_DESTINATIONS,
      clientDailySmsDestinations: codes.TESSERA_SMS_CLIENT_DAILY_DESTINATIONS,
      smsCountries: parseSmsCountries(codes.TESSERA_SMS_COUNTRIES),
    },
    backupCodes: {
      count: backup.TESSERA_BACKUP_CODE_COUNT,
      digits: backup.TESSERA_BACKUP_CODE_DIGITS,
    },
  };
}

/** `+359, +44` → ['+359', '+44']; unset → null (every country). */
export function parseSmsCountries(text: string | undefined): string[] | null {
  if (text === undefined) return null;
  return text.split(',').map((part) => part.trim());
}

/** Base64 (standard or URL alphabet) of exactly 32 bytes, or undefined. */
export function parseSecretKey(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  if (!SECRET_KEY_PATTERN.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? new Uint8Array(bytes) : undefined;
}
