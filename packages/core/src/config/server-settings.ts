import { DEFAULT_DELIVERED_CODE_POLICY } from '../delivery/delivered-code-service.js';
import { DEFAULT_LOCKOUT_POLICY } from '../lockout/lockout-policy.js';
import { DEFAULT_BACKUP_CODE_POLICY } from '../methods/backup-codes/backup-code-service.js';
import { DEFAULT_COOKIE_SESSION_IDLE_SECONDS } from '../sessions/cookie-session-service.js';
import { DEFAULT_PASSWORD_THROTTLE_POLICY } from '../throttle/password-throttle-policy.js';
import { DEFAULT_WEBHOOK_SECRET_OVERLAP_SECONDS } from '../webhooks/webhook-admin-service.js';
import { DEFAULT_WEBHOOK_DISPATCHER_SETTINGS } from '../webhooks/webhook-dispatcher.js';
import { Setting, settingsGroup } from './setting-schema.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** The vendor API shapes served beside the native API (each under its vendor's own paths). */
export const DIALECT_NAMES = ['vpsbg', 'mudbase', 'whm', 'uapi', 'b2core', 'twilio'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];
export const WEB_UI_MODES = ['on', 'off'] as const;
const DIALECT_LIST = new RegExp(
  `^\\s*(none|(${DIALECT_NAMES.join('|')})(\\s*,\\s*(${DIALECT_NAMES.join('|')}))*)\\s*$`,
);
export const ISSUER_PATTERN = /^[A-Za-z0-9 ._-]{1,32}$/;
/** Exact web origins (scheme, host, optional port), comma-separated. */
export const CORS_ORIGINS_PATTERN = /^https?:\/\/[^\s,/]+(\s*,\s*https?:\/\/[^\s,/]+)*$/;
/** One or more IPv4/IPv6 addresses or CIDR ranges, comma-separated. */
export const TRUST_PROXY_PATTERN = /^[0-9A-Fa-f:.]+(\/\d{1,3})?(\s*,\s*[0-9A-Fa-f:.]+(\/\d{1,3})?)*$/;
/** Base64, standard or URL alphabet: 43 characters carry exactly 32 bytes. */
export const SECRET_KEY_PATTERN = /^[A-Za-z0-9+/_-]{43}=?$/;
/** Keys as TESSERA_SECRET_KEY takes them, comma-separated. */
export const SECRET_KEY_LIST_PATTERN = /^\s*[A-Za-z0-9+/_-]{43}=?\s*(,\s*[A-Za-z0-9+/_-]{43}=?\s*)*$/;
/** E.164 calling codes (1-3 digits after the plus), comma-separated; spaces around commas allowed. */
export const SMS_COUNTRIES_PATTERN = /^\s*\+[1-9]\d{0,2}(\s*,\s*\+[1-9]\d{0,2})*\s*$/;

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
    TESSERA_METRICS_PORT: Setting.optional(
      Setting.integer({
        description:
          'TCP port of a separate listener serving Prometheus metrics at `/metrics` (see docs/operations.md)',
        whenUnset: 'no metrics listener',
        minimum: 0,
        maximum: 65535,
      }),
    ),
    TESSERA_METRICS_HOST: Setting.text({
      description: 'address the metrics listener listens on',
      default: '127.0.0.1',
    }),
    TESSERA_WORKERS: Setting.optional(
      Setting.integer({
        description: 'server processes sharing the port (node:cluster); `tessera serve` only',
        whenUnset: 'the number of CPUs with PostgreSQL, 1 with SQLite',
        minimum: 1,
        maximum: 256,
      }),
    ),
    TESSERA_CORS_ORIGINS: Setting.optional(
      Setting.text({
        description:
          'web origins whose pages may call the API from a browser, with credentials (exact matches, e.g. `https://app.example.com`)',
        whenUnset: 'none: no cross-origin calls',
        match: {
          pattern: CORS_ORIGINS_PATTERN,
          allowed: 'http(s)://host[:port] origins, comma-separated',
          namesRefusedItems: true,
        },
      }),
    ),
    TESSERA_WEB_UI: Setting.oneOf(WEB_UI_MODES, {
      description:
        'whether the web UI (sign-in, the security page, the admin pages) is served at `/ui/`, with `/` sending browsers there; `off` for API-only deployments',
      default: 'on',
    }),
    TESSERA_DIALECTS: Setting.text({
      description: 'vendor APIs to serve beside the native one (see docs/dialects.md)',
      default: DIALECT_NAMES.join(','),
      match: {
        pattern: DIALECT_LIST,
        allowed: `a comma list of ${DIALECT_NAMES.join(', ')}, or none`,
        namesRefusedItems: true,
      },
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
          'seals TOTP secrets, phone numbers and the access-token signing keys (AES-256-GCM) and keys token and code hashes; all nodes must share it, and Tessera refuses to start on a database sealed under a key it is not given (this one or TESSERA_SECRET_KEY_PREVIOUS); make one with `openssl rand -base64 32`',
        whenUnset: 'generated',
        match: { pattern: SECRET_KEY_PATTERN, allowed: 'the base64 encoding of exactly 32 bytes' },
      }),
    ),
    TESSERA_SECRET_KEY_PREVIOUS: Setting.optional(
      Setting.text({
        description:
          'keys TESSERA_SECRET_KEY replaced, comma-separated: values sealed or hashed under them still open and match, new ones use TESSERA_SECRET_KEY; `tessera secret rotate` re-seals, `tessera secret status` says when one may be dropped (see docs/operations.md)',
        whenUnset: 'none',
        match: { pattern: SECRET_KEY_LIST_PATTERN, allowed: 'base64 keys of exactly 32 bytes, comma-separated' },
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

/** Whether anyone may create an account through the API. */
export const SIGN_UP_MODES = ['open', 'closed'] as const;
export type SignUpMode = (typeof SIGN_UP_MODES)[number];

export const ACCOUNT_SETTINGS = settingsGroup(
  { title: 'Accounts' },
  {
    TESSERA_SIGNUP: Setting.oneOf(SIGN_UP_MODES, {
      description:
        'whether anyone may create an account with `POST /api/v1/users`; when `closed`, an admin (API or `tessera users create`) creates them',
      default: 'closed',
    }),
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
    TESSERA_LOCKOUT_FAILURE_CEILING: Setting.integer({
      description:
        'consecutive second-factor failures (across locks, since the last success) after which codes are no longer checked until an admin unlocks the account',
      default: DEFAULT_LOCKOUT_POLICY.failureCeiling,
      minimum: 1,
      maximum: 1_000_000,
      notLessThan: 'TESSERA_LOCKOUT_MAX_FAILURES',
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
      description:
        'seconds between two codes sent to one phone number or address for the same purpose (a sign-in, an ' +
        'enrollment, a challenge, a recovery each wait on their own; `TESSERA_CODE_HOURLY_LIMIT` counts them all)',
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
    TESSERA_SMS_ACCOUNT_HOURLY_LIMIT: Setting.integer({
      description: 'SMS codes sent for one account per rolling hour, whatever the numbers',
      default: DEFAULT_DELIVERED_CODE_POLICY.accountHourlySmsLimit,
      minimum: 1,
      maximum: 10_000,
    }),
    TESSERA_SMS_ACCOUNT_DAILY_DESTINATIONS: Setting.integer({
      description: 'different phone numbers one account may have codes sent to per rolling day',
      default: DEFAULT_DELIVERED_CODE_POLICY.accountDailySmsDestinations,
      minimum: 1,
      maximum: 10_000,
    }),
    TESSERA_SMS_CLIENT_DAILY_DESTINATIONS: Setting.integer({
      description: 'different phone numbers one client IP address may have codes sent to per rolling day',
      default: DEFAULT_DELIVERED_CODE_POLICY.clientDailySmsDestinations,
      minimum: 1,
      maximum: 100_000,
    }),
    TESSERA_VERIFY_CLIENT_HOURLY_SMS_LIMIT: Setting.integer({
      description:
        'destination verifications (Twilio Verify) sent by SMS for one client account per rolling hour, whatever the numbers',
      default: DEFAULT_DELIVERED_CODE_POLICY.verifyClientHourlySmsLimit,
      minimum: 1,
      maximum: 1_000_000,
    }),
    TESSERA_VERIFY_CLIENT_DAILY_SMS_DESTINATIONS: Setting.integer({
      description:
        'different phone numbers one client account may send destination verifications (Twilio Verify) to per rolling day',
      default: DEFAULT_DELIVERED_CODE_POLICY.verifyClientDailySmsDestinations,
      minimum: 1,
      maximum: 1_000_000,
    }),
    TESSERA_SMS_COUNTRIES: Setting.optional(
      Setting.text({
        description:
          'calling codes SMS numbers may start with, comma-separated (`+359,+44`); other numbers are refused at enrollment',
        whenUnset: 'every country',
        match: {
          pattern: SMS_COUNTRIES_PATTERN,
          allowed: 'a comma-separated list of calling codes like +359,+44',
          namesRefusedItems: true,
        },
      }),
    ),
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
    TESSERA_PASSWORD_WINDOW_FAILURES: Setting.integer({
      description:
        'failed passwords of one account within the window that block its sign-in (every door counts: native, dialects, HTTP Basic)',
      default: DEFAULT_PASSWORD_THROTTLE_POLICY.failuresPerWindow,
      minimum: 1,
      maximum: 100,
    }),
    TESSERA_PASSWORD_WINDOW_SECONDS: Setting.integer({
      description: 'length in seconds of the window in which failed passwords of one account are counted',
      default: DEFAULT_PASSWORD_THROTTLE_POLICY.windowSeconds,
      minimum: 1,
      maximum: 86_400,
    }),
    TESSERA_PASSWORD_BLOCK_SECONDS: Setting.integer({
      description: 'how long in seconds an account stays blocked once the window limit is reached',
      default: DEFAULT_PASSWORD_THROTTLE_POLICY.blockSeconds,
      minimum: 1,
      maximum: 86_400,
    }),
    TESSERA_PASSWORD_MAX_FAILURES: Setting.integer({
      description:
        'consecutive failed passwords of one account after which none is checked until the password is reset; 0 for no ceiling (then no one without the password can block the owner for longer than a block)',
      default: DEFAULT_PASSWORD_THROTTLE_POLICY.maxConsecutiveFailures,
      minimum: 0,
      maximum: 100,
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

export const CPANEL_SETTINGS = settingsGroup(
  {
    title: 'cPanel dialects',
    description: 'The WHM API 1 and UAPI dialects; see [dialects.md](dialects.md).',
  },
  {
    TESSERA_CPANEL_SESSION_IDLE_SECONDS: Setting.integer({
      description: 'seconds a `/login` session (cookie and `/cpsess…` URLs) may stay unused before it ends',
      default: DEFAULT_COOKIE_SESSION_IDLE_SECONDS,
      minimum: 60,
      maximum: 604_800,
    }),
    TESSERA_CPANEL_SECRET_BITS: Setting.oneOf(['160', '80'], {
      description:
        'bits of the secrets WHM `generate_tfa_config` and UAPI `generate_user_configuration` issue; 80 (16 characters, as cPanel issues) only for clients that refuse longer ones: it is below the 112 bits NIST SP 800-63B asks for',
      default: '160',
    }),
  },
);

/** Web origins as WebAuthn compares them: scheme, host and optional port, comma-separated. */
export const WEBAUTHN_ORIGINS_PATTERN = /^https?:\/\/[^\s,/]+(\s*,\s*https?:\/\/[^\s,/]+)*$/;
/** A registrable domain or a host name (no scheme, no port): what WebAuthn calls an RP ID. */
export const WEBAUTHN_RP_ID_PATTERN =
  /^(localhost|([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9])$/;
/** AAGUIDs (8-4-4-4-12 hex), comma-separated. */
export const AAGUID_LIST_PATTERN =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(\s*,\s*[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})*$/;

export const WEBAUTHN_SETTINGS = settingsGroup(
  {
    title: 'Security keys and passkeys (WebAuthn)',
    description:
      'Off until `TESSERA_WEBAUTHN_RP_ID` and `TESSERA_WEBAUTHN_ORIGINS` are set; see [security.md](security.md#security-keys-and-passkeys).',
  },
  {
    TESSERA_WEBAUTHN_RP_ID: Setting.optional(
      Setting.text({
        description:
          'the relying party ID: the domain the keys are bound to (`example.com` serves `app.example.com` and `login.example.com`); a key registered under one RP ID never signs for another',
        whenUnset: 'WebAuthn is off',
        match: { pattern: WEBAUTHN_RP_ID_PATTERN, allowed: 'a lower-case domain name, or localhost' },
      }),
    ),
    TESSERA_WEBAUTHN_ORIGINS: Setting.optional(
      Setting.text({
        description:
          'the exact web origins whose pages run the ceremonies (the origin the browser signs into each response), comma-separated, e.g. `https://app.example.com`',
        whenUnset: 'WebAuthn is off',
        match: {
          pattern: WEBAUTHN_ORIGINS_PATTERN,
          allowed: 'http(s)://host[:port] origins, comma-separated',
          namesRefusedItems: true,
        },
        setTogetherWith: 'TESSERA_WEBAUTHN_RP_ID',
      }),
    ),
    TESSERA_WEBAUTHN_RP_NAME: Setting.text({
      description: 'the name authenticators show when a key is registered',
      default: 'Tessera',
    }),
    TESSERA_WEBAUTHN_ATTESTATION: Setting.oneOf(['none', 'direct', 'enterprise'], {
      description:
        'the attestation asked for at registration: `none` asks the authenticator for no statement of its make; the others ask for one (the AAGUID lists below are only as trustworthy as that statement)',
      default: 'none',
    }),
    TESSERA_WEBAUTHN_USER_VERIFICATION: Setting.oneOf(['preferred', 'required', 'discouraged'], {
      description:
        'whether the authenticator must verify the user (PIN, biometrics) when used as a second factor; a passkey sign-in without a password always requires it',
      default: 'preferred',
    }),
    TESSERA_WEBAUTHN_RESIDENT_KEY: Setting.oneOf(['preferred', 'required', 'discouraged'], {
      description:
        'whether registration asks for a discoverable credential (a passkey that signs in without a username)',
      default: 'preferred',
    }),
    TESSERA_WEBAUTHN_ATTACHMENT: Setting.oneOf(['any', 'platform', 'cross-platform'], {
      description:
        'which authenticators registration offers: `platform` (built into the device), `cross-platform` (security keys, phones), or any',
      default: 'any',
    }),
    TESSERA_WEBAUTHN_TIMEOUT_SECONDS: Setting.integer({
      description: 'how long a ceremony (and its challenge) stays good',
      default: 300,
      minimum: 30,
      maximum: 600,
    }),
    TESSERA_WEBAUTHN_ALLOWED_AAGUIDS: Setting.optional(
      Setting.text({
        description: 'only authenticator models with these AAGUIDs may be registered',
        whenUnset: 'any model',
        match: { pattern: AAGUID_LIST_PATTERN, allowed: 'AAGUIDs, comma-separated' },
      }),
    ),
    TESSERA_WEBAUTHN_BLOCKED_AAGUIDS: Setting.optional(
      Setting.text({
        description: 'authenticator models with these AAGUIDs may not be registered',
        whenUnset: 'none blocked',
        match: { pattern: AAGUID_LIST_PATTERN, allowed: 'AAGUIDs, comma-separated' },
      }),
    ),
    TESSERA_WEBAUTHN_MAX_CREDENTIALS: Setting.integer({
      description: 'security keys and passkeys one account may register',
      default: 10,
      minimum: 1,
      maximum: 100,
    }),
  },
);

/** Requests one client address may make to each group of routes; see security.md. */
export const DEFAULT_RATE_LIMITS = {
  signUpPerHour: 10,
  signInPerMinute: 30,
  recoveryPerHour: 5,
  codeSendsPerHour: 10,
  verifyPerMinute: 120,
  otherPerMinute: 600,
} as const;

export const RATE_LIMIT_SETTINGS = settingsGroup(
  {
    title: 'Rate limits',
    description:
      'Requests one client address may make to each group of routes; beyond a limit the answer is 429 ' +
      '`RATE_LIMITED` with `Retry-After`. Counted in memory, or in Redis, shared by every node, when ' +
      '`TESSERA_REDIS_URL` is set. See [security.md](security.md) for which routes each group holds.',
  },
  {
    TESSERA_REDIS_URL: Setting.optional(
      Setting.text({
        description: 'Redis server that holds the rate-limit counts, so that several nodes share them',
        whenUnset: 'in memory',
        match: { pattern: /^rediss?:\/\//, allowed: 'a redis:// or rediss:// URL' },
      }),
    ),
    TESSERA_REDIS_DOWN: Setting.oneOf(['memory', 'refuse'], {
      description:
        "what a rate-limited route does while Redis is out of reach: `memory` counts in each process's own memory (a client may then get one limit per process), `refuse` answers 503 `RATE_LIMITS_UNAVAILABLE`; counting goes back to Redis as soon as it answers",
      default: 'memory',
    }),
    TESSERA_REDIS_REQUIRED: Setting.flag({
      description:
        '`/ready` answers 503 while Redis is out of reach; otherwise Redis down is reported as `degraded` with 200',
      default: false,
    }),
    TESSERA_REDIS_TIMEOUT_MS: Setting.integer({
      description: 'milliseconds a Redis command or connection attempt may take before Redis counts as out of reach',
      default: 500,
      minimum: 10,
      maximum: 60_000,
    }),
    TESSERA_RATE_LIMIT_SIGN_UP_PER_HOUR: Setting.integer({
      description: 'sign-ups one client address may make per hour',
      default: DEFAULT_RATE_LIMITS.signUpPerHour,
      minimum: 1,
      maximum: 1_000_000,
    }),
    TESSERA_RATE_LIMIT_SIGN_IN_PER_MINUTE: Setting.integer({
      description: 'password sign-ins one client address may make per minute',
      default: DEFAULT_RATE_LIMITS.signInPerMinute,
      minimum: 1,
      maximum: 1_000_000,
    }),
    TESSERA_RATE_LIMIT_RECOVERY_PER_HOUR: Setting.integer({
      description: 'password recovery requests (start, confirm, reset) one client address may make per hour',
      default: DEFAULT_RATE_LIMITS.recoveryPerHour,
      minimum: 1,
      maximum: 1_000_000,
    }),
    TESSERA_RATE_LIMIT_CODE_SENDS_PER_HOUR: Setting.integer({
      description: 'requests that send an SMS or e-mail code one client address may make per hour',
      default: DEFAULT_RATE_LIMITS.codeSendsPerHour,
      minimum: 1,
      maximum: 1_000_000,
    }),
    TESSERA_RATE_LIMIT_VERIFY_PER_MINUTE: Setting.integer({
      description: 'second-factor code checks one client address may make per minute',
      default: DEFAULT_RATE_LIMITS.verifyPerMinute,
      minimum: 1,
      maximum: 1_000_000,
    }),
    TESSERA_RATE_LIMIT_OTHER_PER_MINUTE: Setting.integer({
      description: 'requests to any other route one client address may make per minute',
      default: DEFAULT_RATE_LIMITS.otherPerMinute,
      minimum: 1,
      maximum: 1_000_000,
    }),
  },
);

/** How long a client may take, and how many connections one address may hold open. */
export const DEFAULT_CONNECTION_LIMITS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  maxConnectionsPerIp: 100,
} as const;

export const CONNECTION_SETTINGS = settingsGroup(
  {
    title: 'Connections',
    description:
      'A client that sends its request too slowly is cut off. Behind a reverse proxy every connection ' +
      'comes from the proxy: set `TESSERA_TRUST_PROXY` so that the rate limits count each client, and raise ' +
      "`TESSERA_MAX_CONNECTIONS_PER_IP` above the proxy's pool, or set it to 0.",
  },
  {
    TESSERA_TRUST_PROXY: Setting.optional(
      Setting.text({
        description:
          'reverse proxies whose `X-Forwarded-For` names the client (for the rate limits and the history): ' +
          'their addresses or CIDR ranges, comma-separated',
        whenUnset: 'none: the client is the peer address',
        match: {
          pattern: TRUST_PROXY_PATTERN,
          allowed: 'IPv4 or IPv6 addresses or CIDR ranges, comma-separated',
          namesRefusedItems: true,
        },
      }),
    ),
    TESSERA_TLS_CERT: Setting.optional(
      Setting.text({
        description:
          "a PEM certificate file (with its chain): Tessera's own listener then speaks HTTPS only " +
          '(docs/deployment.md; usually TLS ends at a reverse proxy instead)',
        whenUnset: 'plain HTTP',
        minLength: 1,
      }),
    ),
    TESSERA_TLS_KEY: Setting.optional(
      Setting.text({
        description: "the PEM private key file of `TESSERA_TLS_CERT`, readable by Tessera's user only",
        whenUnset: 'plain HTTP',
        minLength: 1,
        setTogetherWith: 'TESSERA_TLS_CERT',
      }),
    ),
    TESSERA_HEADERS_TIMEOUT_MS: Setting.integer({
      description: 'milliseconds a client has to send the headers of a request',
      default: DEFAULT_CONNECTION_LIMITS.headersTimeoutMs,
      minimum: 100,
      maximum: 600_000,
    }),
    TESSERA_REQUEST_TIMEOUT_MS: Setting.integer({
      description: 'milliseconds a client has to send a whole request, headers and body',
      default: DEFAULT_CONNECTION_LIMITS.requestTimeoutMs,
      minimum: 100,
      maximum: 600_000,
      notLessThan: 'TESSERA_HEADERS_TIMEOUT_MS',
    }),
    TESSERA_KEEP_ALIVE_TIMEOUT_MS: Setting.integer({
      description: 'milliseconds an idle kept-alive connection waits for its next request',
      default: DEFAULT_CONNECTION_LIMITS.keepAliveTimeoutMs,
      minimum: 100,
      maximum: 600_000,
    }),
    TESSERA_IDLE_TIMEOUT_MS: Setting.integer({
      description: 'milliseconds a connection may stay silent, in either direction, before it is closed',
      default: DEFAULT_CONNECTION_LIMITS.idleTimeoutMs,
      minimum: 100,
      maximum: 3_600_000,
    }),
    TESSERA_MAX_CONNECTIONS_PER_IP: Setting.integer({
      description: 'connections one client address may hold open at once; 0 for no cap',
      default: DEFAULT_CONNECTION_LIMITS.maxConnectionsPerIp,
      minimum: 0,
      maximum: 1_000_000,
    }),
  },
);

export const WEBHOOK_SETTINGS = settingsGroup(
  {
    title: 'Webhooks',
    description:
      'Signed webhooks to the endpoints admins register; see [operations.md](operations.md#receiving-webhooks).',
  },
  {
    TESSERA_WEBHOOK_TIMEOUT_SECONDS: Setting.integer({
      description: 'seconds an endpoint has to answer one delivery attempt before it counts as failed and is retried',
      default: DEFAULT_WEBHOOK_DISPATCHER_SETTINGS.timeoutMs / 1000,
      minimum: 1,
      maximum: 300,
    }),
    TESSERA_WEBHOOK_POLL_MS: Setting.integer({
      description: 'milliseconds between two looks of each server process for due webhook deliveries',
      default: DEFAULT_WEBHOOK_DISPATCHER_SETTINGS.pollMs,
      minimum: 50,
      maximum: 60_000,
    }),
    TESSERA_WEBHOOK_SECRET_OVERLAP_SECONDS: Setting.integer({
      description: 'seconds a rotated webhook secret keeps signing beside the new one',
      default: DEFAULT_WEBHOOK_SECRET_OVERLAP_SECONDS,
      minimum: 0,
      maximum: 30 * 24 * 3600,
    }),
  },
);

export const AUDIT_SETTINGS = settingsGroup(
  {
    title: 'Audit trail',
    description:
      'The hash-chained audit trail and its signed checkpoints; see [operations.md](operations.md#the-audit-trail).',
  },
  {
    TESSERA_AUDIT_CHECKPOINT_SECONDS: Setting.integer({
      description:
        'seconds between two signed checkpoints of the audit chain head (none is written while nothing was added)',
      default: 3600,
      minimum: 10,
      maximum: 604_800,
    }),
    TESSERA_AUDIT_RETENTION_DAYS: Setting.optional(
      Setting.integer({
        description:
          'days audit entries are kept; older ones are pruned up to a checkpoint, which stays as the anchor the chain is verified from',
        whenUnset: 'kept for ever',
        minimum: 1,
        maximum: 36_500,
      }),
    ),
  },
);

/** The server's settings in the order they are checked and documented. */
export const SERVER_SETTINGS = [
  HTTP_SETTINGS,
  STORAGE_SETTINGS,
  IDENTITY_SETTINGS,
  ACCOUNT_SETTINGS,
  LOCKOUT_SETTINGS,
  DELIVERED_CODE_SETTINGS,
  BACKUP_CODE_SETTINGS,
  PASSWORD_THROTTLE_SETTINGS,
  RECOVERY_LOCK_SETTINGS,
  CPANEL_SETTINGS,
  WEBAUTHN_SETTINGS,
  WEBHOOK_SETTINGS,
  RATE_LIMIT_SETTINGS,
  CONNECTION_SETTINGS,
  AUDIT_SETTINGS,
] as const;
