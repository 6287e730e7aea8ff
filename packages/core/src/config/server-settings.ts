import { DEFAULT_DELIVERED_CODE_POLICY } from '../delivery/delivered-code-service.js';
import { DEFAULT_LOCKOUT_POLICY } from '../lockout/lockout-policy.js';
import { DEFAULT_BACKUP_CODE_POLICY } from '../methods/backup-codes/backup-code-service.js';
import { DEFAULT_PASSWORD_THROTTLE_POLICY } from '../throttle/password-throttle-policy.js';
import { Setting, settingsGroup } from './setting-schema.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** The vendor API shapes served beside the native API (each under its vendor's own paths). */
export const DIALECT_NAMES = ['vpsbg', 'mudbase', 'whm', 'uapi'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];
const DIALECT_LIST = new RegExp(
  `^\\s*(none|(${DIALECT_NAMES.join('|')})(\\s*,\\s*(${DIALECT_NAMES.join('|')}))*)\\s*$`,
);
export const ISSUER_PATTERN = /^[A-Za-z0-9 ._-]{1,32}$/;
/** Base64, standard or URL alphabet: 43 characters carry exactly 32 bytes. */
export const SECRET_KEY_PATTERN = /^[A-Za-z0-9+/_-]{43}=?$/;

/*
 * Every environment variable of the server, with its default, bounds and meaning. loadConfig
 * reads these; README.md and docs/configuration.md are generated from them
 * (`npm run docs:config`).
 */

export const HTTP_SETTINGS = settingsGroup(
  { title: 'HTTP' },
  {
    PORT: Setting.integer({ description: 'TCP port', default: 8080, minimum: 0, maximum: 65535 }),
    HOST: Setting.text({ description: 'address to listen on (`0.0.0.0` for all)', default: '127.0.0.1' }),
    TESSERA_DIALECTS: Setting.text({
      description: 'vendor APIs to serve beside the native one (see docs/dialects.md)',
      default: DIALECT_NAMES.join(','),
      match: { pattern: DIALECT_LIST, allowed: `a comma list of ${DIALECT_NAMES.join(', ')}, or none` },
    }),
  },
);

export const STORAGE_SETTINGS = settingsGroup(
  { title: 'Storage and keys' },
  {
    TESSERA_DATA_DIR: Setting.text({
      description: 'holds `tessera.db` and, when no key is given, `secret.key`',
      default: './data',
    }),
    TESSERA_DATABASE_URL: Setting.optional(
      Setting.text({
        description: 'PostgreSQL database to use instead of the embedded SQLite',
        match: { pattern: /^postgres(ql)?:\/\//, allowed: 'a postgres:// or postgresql:// URL' },
      }),
    ),
    TESSERA_SECRET_KEY: Setting.optional(
      Setting.text({
        description:
          'seals TOTP secrets (AES-256-GCM) and keys token hashes and JWT signatures; all nodes must share it, and Tessera refuses to start on a database sealed under another key; make one with `openssl rand -base64 32`',
        whenUnset: 'generated',
        match: { pattern: SECRET_KEY_PATTERN, allowed: 'the base64 encoding of exactly 32 bytes' },
      }),
    ),
  },
);

export const IDENTITY_SETTINGS = settingsGroup(
  { title: 'Issuer and logging' },
  {
    TESSERA_ISSUER: Setting.text({
      description: 'issuer name in new otpauth URIs',
      default: 'Tessera',
      match: { pattern: ISSUER_PATTERN, allowed: '1-32 letters, digits, spaces, ".", "_" or "-"' },
    }),
    TESSERA_LOG_LEVEL: Setting.oneOf(LOG_LEVELS, { description: 'how much is logged', default: 'info' }),
  },
);

export const LOCKOUT_SETTINGS = settingsGroup(
  {
    title: 'Second-factor lockout',
    description: 'See [security.md](security.md) for what these numbers mean for an attacker.',
  },
  {
    TESSERA_LOCKOUT_MAX_FAILURES: Setting.integer({
      description: 'consecutive second-factor failures before the second factor locks',
      default: DEFAULT_LOCKOUT_POLICY.maxFailures,
      minimum: 1,
      maximum: 1_000_000,
    }),
    TESSERA_LOCKOUT_BASE_SECONDS: Setting.integer({
      description: 'length of the first lock in seconds; each further lock doubles',
      default: DEFAULT_LOCKOUT_POLICY.baseLockSeconds,
      minimum: 1,
      maximum: 86_400,
    }),
    TESSERA_LOCKOUT_MAX_SECONDS: Setting.integer({
      description: 'longest lock in seconds',
      default: DEFAULT_LOCKOUT_POLICY.maxLockSeconds,
      minimum: 1,
      maximum: 604_800,
      notLessThan: 'TESSERA_LOCKOUT_BASE_SECONDS',
    }),
  },
);

export const DELIVERED_CODE_SETTINGS = settingsGroup(
  { title: 'SMS and e-mail codes' },
  {
    TESSERA_CODE_DIGITS: Setting.integer({
      description: 'digits of SMS and e-mail codes',
      default: DEFAULT_DELIVERED_CODE_POLICY.digits,
      minimum: 4,
      maximum: 10,
    }),
    TESSERA_CODE_TTL_SECONDS: Setting.integer({
      description: 'seconds an SMS or e-mail code stays valid',
      default: DEFAULT_DELIVERED_CODE_POLICY.ttlSeconds,
      minimum: 30,
      maximum: 86_400,
    }),
    TESSERA_CODE_MAX_ATTEMPTS: Setting.integer({
      description: 'wrong tries one sent code allows',
      default: DEFAULT_DELIVERED_CODE_POLICY.maxAttempts,
      minimum: 1,
      maximum: 100,
    }),
    TESSERA_CODE_RESEND_SECONDS: Setting.integer({
      description: 'seconds between two codes sent to one phone number or address',
      default: DEFAULT_DELIVERED_CODE_POLICY.resendCooldownSeconds,
      minimum: 0,
      maximum: 3600,
    }),
    TESSERA_CODE_HOURLY_LIMIT: Setting.integer({
      description: 'codes sent to one phone number or address per rolling hour',
      default: DEFAULT_DELIVERED_CODE_POLICY.hourlyLimit,
      minimum: 1,
      maximum: 10_000,
    }),
  },
);

export const BACKUP_CODE_SETTINGS = settingsGroup(
  { title: 'Backup codes' },
  {
    TESSERA_BACKUP_CODE_COUNT: Setting.integer({
      description: 'backup codes per set',
      default: DEFAULT_BACKUP_CODE_POLICY.count,
      minimum: 1,
      maximum: 100,
    }),
    TESSERA_BACKUP_CODE_DIGITS: Setting.integer({
      description: 'digits per backup code',
      default: DEFAULT_BACKUP_CODE_POLICY.digits,
      minimum: 8,
      maximum: 16,
    }),
  },
);

export const PASSWORD_THROTTLE_SETTINGS = settingsGroup(
  {
    title: 'Password throttling',
    description: 'See [security.md](security.md) for what these numbers mean for an attacker.',
  },
  {
    TESSERA_PASSWORD_FREE_FAILURES: Setting.integer({
      description: 'consecutive failed passwords of one account before further tries must wait',
      default: DEFAULT_PASSWORD_THROTTLE_POLICY.freeFailures,
      minimum: 1,
      maximum: 100,
    }),
    TESSERA_PASSWORD_BASE_DELAY_SECONDS: Setting.integer({
      description: 'first wait in seconds after the free failures; each further failure doubles it',
      default: DEFAULT_PASSWORD_THROTTLE_POLICY.baseDelaySeconds,
      minimum: 1,
      maximum: 3600,
    }),
    TESSERA_PASSWORD_MAX_DELAY_SECONDS: Setting.integer({
      description: 'longest wait in seconds between two password tries of one account',
      default: DEFAULT_PASSWORD_THROTTLE_POLICY.maxDelaySeconds,
      minimum: 1,
      maximum: 86_400,
      notLessThan: 'TESSERA_PASSWORD_BASE_DELAY_SECONDS',
    }),
    TESSERA_PASSWORD_MAX_FAILURES: Setting.integer({
      description:
        'consecutive failed passwords of one account after which none is checked until the password is reset (NIST SP 800-63B allows at most 100)',
      default: DEFAULT_PASSWORD_THROTTLE_POLICY.maxConsecutiveFailures,
      minimum: 1,
      maximum: 100,
      notLessThan: 'TESSERA_PASSWORD_FREE_FAILURES',
    }),
    TESSERA_PASSWORD_ADDRESS_HOURLY_FAILURES: Setting.integer({
      description: 'failed passwords from one client address per hour, across all accounts',
      default: DEFAULT_PASSWORD_THROTTLE_POLICY.failuresPerAddressPerHour,
      minimum: 1,
      maximum: 1_000_000,
    }),
  },
);

export const RECOVERY_LOCK_SETTINGS = settingsGroup(
  {
    title: 'Password recovery lock',
    description: 'Wrong recovery codes lock recovery of the account, never its second factor.',
  },
  {
    TESSERA_RECOVERY_LOCK_MAX_FAILURES: Setting.integer({
      description: 'consecutive wrong recovery codes of one account before its recovery locks',
      default: DEFAULT_LOCKOUT_POLICY.maxFailures,
      minimum: 1,
      maximum: 1_000_000,
    }),
    TESSERA_RECOVERY_LOCK_BASE_SECONDS: Setting.integer({
      description: 'length of the first recovery lock in seconds; each further lock doubles',
      default: DEFAULT_LOCKOUT_POLICY.baseLockSeconds,
      minimum: 1,
      maximum: 86_400,
    }),
    TESSERA_RECOVERY_LOCK_MAX_SECONDS: Setting.integer({
      description: 'longest recovery lock in seconds',
      default: DEFAULT_LOCKOUT_POLICY.maxLockSeconds,
      minimum: 1,
      maximum: 604_800,
      notLessThan: 'TESSERA_RECOVERY_LOCK_BASE_SECONDS',
    }),
  },
);

/** The server's settings in the order they are checked and documented. */
export const SERVER_SETTINGS = [
  HTTP_SETTINGS,
  STORAGE_SETTINGS,
  IDENTITY_SETTINGS,
  LOCKOUT_SETTINGS,
  DELIVERED_CODE_SETTINGS,
  BACKUP_CODE_SETTINGS,
  PASSWORD_THROTTLE_SETTINGS,
  RECOVERY_LOCK_SETTINGS,
] as const;
