import { availableParallelism } from 'node:os';
import type { DeliveredCodePolicy } from '../delivery/delivered-code-service.js';
import type { LockoutPolicy } from '../lockout/lockout-policy.js';
import type { BackupCodePolicy } from '../methods/backup-codes/backup-code-service.js';
import type { WebAuthnSettings } from '../methods/webauthn/webauthn-settings.js';
import type { TotpSecretBits } from '../otp/secret.js';
import type { PasswordThrottlePolicy } from '../throttle/password-throttle-policy.js';
import { ConfigError } from './config-error.js';
import {
  ACCOUNT_SETTINGS,
  AUDIT_SETTINGS,
  BACKUP_CODE_SETTINGS,
  CONNECTION_SETTINGS,
  CPANEL_SETTINGS,
  DELIVERED_CODE_SETTINGS,
  DIALECT_NAMES,
  type DialectName,
  HTTP_SETTINGS,
  IDENTITY_SETTINGS,
  LOCKOUT_SETTINGS,
  type LOG_LEVELS,
  PASSWORD_THROTTLE_SETTINGS,
  RATE_LIMIT_SETTINGS,
  RECOVERY_LOCK_SETTINGS,
  SECRET_KEY_PATTERN,
  type SignUpMode,
  STORAGE_SETTINGS,
  WEBAUTHN_SETTINGS,
  WEBHOOK_SETTINGS,
} from './server-settings.js';
import { type Environment, SettingsReader } from './settings-reader.js';

export { ConfigError } from './config-error.js';
export { ISSUER_PATTERN } from './server-settings.js';

export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Everything the server reads from its environment, validated. server-settings.ts declares the
 * variables, with their defaults and bounds; docs/configuration.md lists them.
 */
/** `TESSERA_RATE_LIMIT_*`: requests one client address may make to each group of routes. */
export interface RateLimits {
  signUpPerHour: number;
  signInPerMinute: number;
  recoveryPerHour: number;
  codeSendsPerHour: number;
  verifyPerMinute: number;
  otherPerMinute: number;
}

/** `TESSERA_*_TIMEOUT_MS`, `TESSERA_MAX_CONNECTIONS_PER_IP`: what a slow or greedy client is allowed. */
export interface ConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  idleTimeoutMs: number;
  /** 0: no cap. */
  maxConnectionsPerIp: number;
}

/**
 * Everything the server reads from its environment, validated. server-settings.ts declares the
 * variables, with their defaults and bounds; docs/configuration.md lists them.
 */
export interface Config {
  /** `PORT`: TCP port of the HTTP server. */
  port: number;
  /** `TESSERA_CORS_ORIGINS`: origins allowed to call from a browser; empty: none. */
  corsOrigins: string[];
  /** `TESSERA_DIALECTS`: the vendor APIs served beside the native one. */
  dialects: DialectName[];
  /** `TESSERA_WEB_UI`: whether the web UI is served at `/ui/`. */
  webUi: boolean;
  /** `HOST`: address to listen on. */
  host: string;
  /** `TESSERA_METRICS_PORT` and `TESSERA_METRICS_HOST`: the Prometheus listener; undefined: none. */
  metrics: { port: number; host: string } | undefined;
  /**
   * `TESSERA_WORKERS`: server processes sharing the port. Unset: one per CPU with PostgreSQL;
   * one with SQLite, whose writers take turns on one file anyway.
   */
  workers: number;
  /** `TESSERA_DATA_DIR`: holds `tessera.db` and, when no key is configured, `secret.key`. */
  dataDir: string;
  /** `TESSERA_DATABASE_URL`: a `postgres://` URL selects PostgreSQL; unset means SQLite in the data dir. */
  databaseUrl: string | undefined;
  /** `TESSERA_SECRET_KEY`: 32 bytes; seals secrets at rest and keys the token hashes. */
  secretKey: Uint8Array | undefined;
  /** `TESSERA_SECRET_KEY_PREVIOUS`: the keys it replaced, still used to open and match old values. */
  previousSecretKeys: Uint8Array[];
  /** `TESSERA_ISSUER`: default issuer name in otpauth URIs. */
  issuer: string;
  /** `TESSERA_LOG_LEVEL`. */
  logLevel: LogLevel;
  /** `TESSERA_SIGNUP`: whether someone not signed in may create an account. */
  signUp: SignUpMode;
  /** `TESSERA_LOCKOUT_*`. */
  lockout: LockoutPolicy;
  /** `TESSERA_CODE_*`: codes sent by SMS and e-mail. */
  deliveredCodes: DeliveredCodePolicy;
  /** `TESSERA_BACKUP_CODE_*`. */
  backupCodes: BackupCodePolicy;
  /** `TESSERA_PASSWORD_*`: failed passwords per account and per client address. */
  passwordThrottle: PasswordThrottlePolicy;
  /** `TESSERA_RECOVERY_LOCK_*`: failed password-recovery codes per account. */
  recoveryLockout: LockoutPolicy;
  /** `TESSERA_CPANEL_SESSION_IDLE_SECONDS`: how long a cPanel `/login` session may stay unused. */
  cookieSessionIdleSeconds: number;
  /** `TESSERA_CPANEL_SECRET_BITS`: the size of the secrets the cPanel dialects issue. */
  cpanelSecretBits: TotpSecretBits;
  rateLimits: RateLimits;
  /** `TESSERA_REDIS_URL`: where the rate-limit counts are kept; unset means in memory. */
  redisUrl: string | undefined;
  /** `TESSERA_REDIS_DOWN`: what rate-limited routes do while Redis is out of reach. */
  redisWhenDown: 'memory' | 'refuse';
  /** `TESSERA_REDIS_REQUIRED`: `/ready` is 503 (not `degraded`) while Redis is out of reach. */
  redisRequired: boolean;
  /** `TESSERA_REDIS_TIMEOUT_MS`: the longest wait for one Redis command or connection attempt. */
  redisTimeoutMs: number;
  connections: ConnectionLimits;
  /** `TESSERA_TRUST_PROXY`: the reverse proxies believed about the client's address, comma-separated. */
  trustProxy: string | undefined;
  /** `TESSERA_TLS_CERT` and `TESSERA_TLS_KEY`: the files of an HTTPS listener; unset for plain HTTP. */
  tls: { certFile: string; keyFile: string } | undefined;
  /** `TESSERA_WEBAUTHN_*`: undefined (WebAuthn off) until the RP ID and the origins are set. */
  webauthn: WebAuthnSettings | undefined;
  /** `TESSERA_WEBHOOK_*`: how deliveries are sent, and how long a rotated secret keeps signing. */
  webhooks: { timeoutMs: number; pollMs: number; secretOverlapSeconds: number };
  /** `TESSERA_AUDIT_*`: checkpoint interval, and retention in days (undefined: for ever). */
  audit: AuditSettings;
}

export interface AuditSettings {
  checkpointSeconds: number;
  retentionDays: number | undefined;
}

/** Reads and validates the configuration; every bad value is reported at once, in one ConfigError. */
export function loadConfig(env: Environment): Config {
  const reader = new SettingsReader(env);
  const http = reader.read(HTTP_SETTINGS);
  const storage = reader.read(STORAGE_SETTINGS);
  const identity = reader.read(IDENTITY_SETTINGS);
  const account = reader.read(ACCOUNT_SETTINGS);
  const lockout = reader.read(LOCKOUT_SETTINGS);
  const codes = reader.read(DELIVERED_CODE_SETTINGS);
  const backup = reader.read(BACKUP_CODE_SETTINGS);
  const passwords = reader.read(PASSWORD_THROTTLE_SETTINGS);
  const recovery = reader.read(RECOVERY_LOCK_SETTINGS);
  const cpanel = reader.read(CPANEL_SETTINGS);
  const rate = reader.read(RATE_LIMIT_SETTINGS);
  const connections = reader.read(CONNECTION_SETTINGS);
  const webauthn = reader.read(WEBAUTHN_SETTINGS);
  const webhooks = reader.read(WEBHOOK_SETTINGS);
  const audit = reader.read(AUDIT_SETTINGS);
  reader.finish();

  return {
    webhooks: {
      timeoutMs: webhooks.TESSERA_WEBHOOK_TIMEOUT_SECONDS * 1000,
      pollMs: webhooks.TESSERA_WEBHOOK_POLL_MS,
      secretOverlapSeconds: webhooks.TESSERA_WEBHOOK_SECRET_OVERLAP_SECONDS,
    },
    port: http.PORT,
    host: http.HOST,
    metrics:
      http.TESSERA_METRICS_PORT === undefined
        ? undefined
        : { port: http.TESSERA_METRICS_PORT, host: http.TESSERA_METRICS_HOST },
    workers: http.TESSERA_WORKERS ?? (storage.TESSERA_DATABASE_URL === undefined ? 1 : availableParallelism()),
    dialects: parseDialects(http.TESSERA_DIALECTS),
    webUi: http.TESSERA_WEB_UI === 'on',
    corsOrigins:
      http.TESSERA_CORS_ORIGINS === undefined ? [] : http.TESSERA_CORS_ORIGINS.split(',').map((o) => o.trim()),
    dataDir: storage.TESSERA_DATA_DIR,
    databaseUrl: storage.TESSERA_DATABASE_URL,
    secretKey: storage.TESSERA_SECRET_KEY === undefined ? undefined : parseSecretKey(storage.TESSERA_SECRET_KEY),
    previousSecretKeys: parseSecretKeyList(storage.TESSERA_SECRET_KEY_PREVIOUS),
    issuer: identity.TESSERA_ISSUER,
    logLevel: identity.TESSERA_LOG_LEVEL,
    signUp: account.TESSERA_SIGNUP,
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
      verifyClientHourlySmsLimit: codes.TESSERA_VERIFY_CLIENT_HOURLY_SMS_LIMIT,
      verifyClientDailySmsDestinations: codes.TESSERA_VERIFY_CLIENT_DAILY_SMS_DESTINATIONS,
      smsCountries: parseSmsCountries(codes.TESSERA_SMS_COUNTRIES),
    },
    backupCodes: {
      count: backup.TESSERA_BACKUP_CODE_COUNT,
      digits: backup.TESSERA_BACKUP_CODE_DIGITS,
    },
    passwordThrottle: {
      failuresPerWindow: passwords.TESSERA_PASSWORD_WINDOW_FAILURES,
      windowSeconds: passwords.TESSERA_PASSWORD_WINDOW_SECONDS,
      blockSeconds: passwords.TESSERA_PASSWORD_BLOCK_SECONDS,
      maxConsecutiveFailures: passwords.TESSERA_PASSWORD_MAX_FAILURES,
      failuresPerAddressPerHour: passwords.TESSERA_PASSWORD_ADDRESS_HOURLY_FAILURES,
    },
    recoveryLockout: {
      maxFailures: recovery.TESSERA_RECOVERY_LOCK_MAX_FAILURES,
      baseLockSeconds: recovery.TESSERA_RECOVERY_LOCK_BASE_SECONDS,
      maxLockSeconds: recovery.TESSERA_RECOVERY_LOCK_MAX_SECONDS,
      // Recovery locks pass with time; only the second factor's lockout has a hard ceiling.
      failureCeiling: Number.MAX_SAFE_INTEGER,
    },
    cookieSessionIdleSeconds: cpanel.TESSERA_CPANEL_SESSION_IDLE_SECONDS,
    cpanelSecretBits: cpanel.TESSERA_CPANEL_SECRET_BITS === '80' ? 80 : 160,
    rateLimits: {
      signUpPerHour: rate.TESSERA_RATE_LIMIT_SIGN_UP_PER_HOUR,
      signInPerMinute: rate.TESSERA_RATE_LIMIT_SIGN_IN_PER_MINUTE,
      recoveryPerHour: rate.TESSERA_RATE_LIMIT_RECOVERY_PER_HOUR,
      codeSendsPerHour: rate.TESSERA_RATE_LIMIT_CODE_SENDS_PER_HOUR,
      verifyPerMinute: rate.TESSERA_RATE_LIMIT_VERIFY_PER_MINUTE,
      otherPerMinute: rate.TESSERA_RATE_LIMIT_OTHER_PER_MINUTE,
    },
    redisUrl: rate.TESSERA_REDIS_URL,
    redisWhenDown: rate.TESSERA_REDIS_DOWN,
    redisRequired: rate.TESSERA_REDIS_REQUIRED,
    redisTimeoutMs: rate.TESSERA_REDIS_TIMEOUT_MS,
    connections: {
      headersTimeoutMs: connections.TESSERA_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: connections.TESSERA_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: connections.TESSERA_KEEP_ALIVE_TIMEOUT_MS,
      idleTimeoutMs: connections.TESSERA_IDLE_TIMEOUT_MS,
      maxConnectionsPerIp: connections.TESSERA_MAX_CONNECTIONS_PER_IP,
    },
    trustProxy: connections.TESSERA_TRUST_PROXY,
    tls:
      connections.TESSERA_TLS_CERT !== undefined && connections.TESSERA_TLS_KEY !== undefined
        ? { certFile: connections.TESSERA_TLS_CERT, keyFile: connections.TESSERA_TLS_KEY }
        : undefined,
    webauthn:
      webauthn.TESSERA_WEBAUTHN_RP_ID === undefined || webauthn.TESSERA_WEBAUTHN_ORIGINS === undefined
        ? undefined
        : {
            rpId: webauthn.TESSERA_WEBAUTHN_RP_ID,
            rpName: webauthn.TESSERA_WEBAUTHN_RP_NAME,
            origins: commaList(webauthn.TESSERA_WEBAUTHN_ORIGINS),
            attestation: webauthn.TESSERA_WEBAUTHN_ATTESTATION,
            userVerification: webauthn.TESSERA_WEBAUTHN_USER_VERIFICATION,
            residentKey: webauthn.TESSERA_WEBAUTHN_RESIDENT_KEY,
            attachment: webauthn.TESSERA_WEBAUTHN_ATTACHMENT,
            timeoutSeconds: webauthn.TESSERA_WEBAUTHN_TIMEOUT_SECONDS,
            allowedAaguids: lowerCaseList(webauthn.TESSERA_WEBAUTHN_ALLOWED_AAGUIDS),
            blockedAaguids: lowerCaseList(webauthn.TESSERA_WEBAUTHN_BLOCKED_AAGUIDS) ?? [],
            maxCredentials: webauthn.TESSERA_WEBAUTHN_MAX_CREDENTIALS,
          },
    audit: {
      checkpointSeconds: audit.TESSERA_AUDIT_CHECKPOINT_SECONDS,
      retentionDays: audit.TESSERA_AUDIT_RETENTION_DAYS,
    },
  };
}

function commaList(text: string): string[] {
  return text.split(',').map((part) => part.trim());
}

/** AAGUIDs compared in lower case; unset → undefined. */
function lowerCaseList(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : commaList(text).map((part) => part.toLowerCase());
}

/** `none`, or the named dialects in the order given, each once (the setting's pattern checked the names). */
function parseDialects(list: string): DialectName[] {
  const names = list.split(',').map((name) => name.trim());
  if (names.length === 1 && names[0] === 'none') return [];
  return [...new Set(names)].filter((name): name is DialectName => (DIALECT_NAMES as readonly string[]).includes(name));
}

/** `+359, +44` → ['+359', '+44']; unset → null (every country). */
export function parseSmsCountries(text: string | undefined): string[] | null {
  if (text === undefined) return null;
  return text.split(',').map((part) => part.trim());
}

/** Comma-separated keys (the pattern has checked each); a part that is not 32 bytes is a ConfigError. */
function parseSecretKeyList(text: string | undefined): Uint8Array[] {
  if (text === undefined) return [];
  return text.split(',').map((part, index) => {
    const key = parseSecretKey(part);
    if (!key) {
      throw new ConfigError([
        `TESSERA_SECRET_KEY_PREVIOUS: key ${index + 1} is not the base64 encoding of exactly 32 bytes`,
      ]);
    }
    return key;
  });
}

/** Base64 (standard or URL alphabet) of exactly 32 bytes, or undefined. */
export function parseSecretKey(text: string): Uint8Array | undefined {
  const trimmed = text.trim();
  if (!SECRET_KEY_PATTERN.test(trimmed)) return undefined;
  const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? new Uint8Array(bytes) : undefined;
}
