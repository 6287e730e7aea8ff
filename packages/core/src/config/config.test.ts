import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseSecretKey } from './config.js';
import { SERVER_SETTINGS } from './server-settings.js';
import { settingsOf } from './setting-schema.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: './data',
      databaseUrl: undefined,
      secretKey: undefined,
      issuer: 'Tessera',
      logLevel: 'info',
      lockout: { maxFailures: 5, baseLockSeconds: 60, maxLockSeconds: 3600 },
    });
  });

  it('reports every bad value at once, by name', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        TESSERA_DATABASE_URL: 'mysql://x',
        TESSERA_SECRET_KEY: 'c2hvcnQ=',
        TESSERA_ISSUER: 'Bad:Issuer',
        TESSERA_LOG_LEVEL: 'loud',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'TESSERA_DATABASE_URL', 'TESSERA_SECRET_KEY', 'TESSERA_ISSUER', 'TESSERA_LOG_LEVEL']) {
      expect(problems).toContain(name);
    }
  });

  it('accepts a base64 key of exactly 32 bytes only', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('base64'))).toEqual(new Uint8Array(key));
    expect(parseSecretKey(key.toString('base64url'))).toEqual(new Uint8Array(key));
    expect(parseSecretKey(randomBytes(31).toString('base64'))).toBeUndefined();
    expect(parseSecretKey(randomBytes(33).toString('base64'))).toBeUndefined();
    expect(loadConfig({ TESSERA_SECRET_KEY: key.toString('base64') }).secretKey).toEqual(new Uint8Array(key));
  });

  it('keeps WebAuthn off until the RP ID and origins are set, and names the one missing', () => {
    expect(loadConfig({}).webauthn).toBeUndefined();
    expect(problemsOf({ TESSERA_WEBAUTHN_RP_ID: 'example.com' }).join('\n')).toMatch(
      /TESSERA_WEBAUTHN_ORIGINS.*set together|set together.*TESSERA_WEBAUTHN_ORIGINS/,
    );
    expect(problemsOf({ TESSERA_WEBAUTHN_ORIGINS: 'https://app.example.com' }).join('\n')).toContain(
      'TESSERA_WEBAUTHN_RP_ID',
    );
    const bad = problemsOf({ TESSERA_WEBAUTHN_RP_ID: 'https://example.com', TESSERA_WEBAUTHN_ORIGINS: 'x' }).join('\n');
    expect(bad).toContain('TESSERA_WEBAUTHN_RP_ID');
    expect(bad).toContain('TESSERA_WEBAUTHN_ORIGINS');
    const config = loadConfig({
      TESSERA_WEBAUTHN_RP_ID: 'example.com',
      TESSERA_WEBAUTHN_ORIGINS: 'https://app.example.com, https://login.example.com',
      TESSERA_WEBAUTHN_BLOCKED_AAGUIDS: 'CB69481E-8FF7-4039-93EC-0A2729A154A8',
    });
    expect(config.webauthn).toMatchObject({
      rpId: 'example.com',
      origins: ['https://app.example.com', 'https://login.example.com'],
      attestation: 'none',
      maxCredentials: 10,
      allowedAaguids: undefined,
      blockedAaguids: ['cb69481e-8ff7-4039-93ec-0a2729a154a8'],
    });
  });

  it('serves every dialect by default, the ones named, or none; a bad name stops the start by name', () => {
    expect(loadConfig({}).dialects).toEqual(['vpsbg', 'mudbase', 'whm', 'uapi', 'b2core', 'twilio']);
    expect(loadConfig({ TESSERA_DIALECTS: ' mudbase ' }).dialects).toEqual(['mudbase']);
    expect(loadConfig({ TESSERA_DIALECTS: 'whm, uapi' }).dialects).toEqual(['whm', 'uapi']);
    expect(loadConfig({ TESSERA_DIALECTS: 'none' }).dialects).toEqual([]);
    expect(problemsOf({ TESSERA_DIALECTS: 'vpsbg,cpanel' }).join('\n')).toContain('TESSERA_DIALECTS');
  });

  it('names the wrong items of a list, and never echoes a value that may be a secret', () => {
    expect(problemsOf({ TESSERA_DIALECTS: 'vpsbg,foo' })).toEqual([
      'TESSERA_DIALECTS must be a comma list of vpsbg, mudbase, whm, uapi, b2core, twilio, or none ("foo" is not one)',
    ]);
    expect(problemsOf({ TESSERA_DIALECTS: 'foo, whm, bar' }).join('\n')).toContain('("foo", "bar" are not one)');
    expect(problemsOf({ TESSERA_CORS_ORIGINS: 'https://app.example.com,app.example.com' }).join('\n')).toContain(
      '"app.example.com" is not one',
    );
    const secret = 'not-a-key-but-secret';
    const problems = problemsOf({
      TESSERA_SECRET_KEY: secret,
      TESSERA_SECRET_KEY_PREVIOUS: `${randomBytes(32).toString('base64')},${secret}`,
      TESSERA_DATABASE_URL: `mysql://admin:${secret}@db`,
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('reads the CORS origins as an exact list, off by default, and refuses what is not an origin', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ TESSERA_CORS_ORIGINS: 'https://app.example.com, http://localhost:3000' }).corsOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
    ]);
    for (const bad of ['*', 'https://app.example.com/path', 'app.example.com']) {
      expect(problemsOf({ TESSERA_CORS_ORIGINS: bad }).join('\n')).toContain('TESSERA_CORS_ORIGINS');
    }
  });

  it('reads the cPanel session idle time and secret size: 160 bits unless 80 is asked for', () => {
    expect(loadConfig({})).toMatchObject({ cookieSessionIdleSeconds: 1800, cpanelSecretBits: 160 });
    expect(loadConfig({ TESSERA_CPANEL_SECRET_BITS: '80' }).cpanelSecretBits).toBe(80);
    expect(loadConfig({ TESSERA_CPANEL_SESSION_IDLE_SECONDS: '120' }).cookieSessionIdleSeconds).toBe(120);
    expect(problemsOf({ TESSERA_CPANEL_SECRET_BITS: '128' }).join('\n')).toContain('TESSERA_CPANEL_SECRET_BITS');
    expect(problemsOf({ TESSERA_CPANEL_SESSION_IDLE_SECONDS: '5' }).join('\n')).toContain(
      'TESSERA_CPANEL_SESSION_IDLE_SECONDS',
    );
  });

  it('selects PostgreSQL by URL', () => {
    expect(loadConfig({ TESSERA_DATABASE_URL: 'postgres://u@h/db' }).databaseUrl).toBe('postgres://u@h/db');
  });

  it('names the bound a value is outside of, and the lock that would be shorter than the first', () => {
    expect(problemsOf({ TESSERA_CODE_DIGITS: '3', TESSERA_LOG_LEVEL: 'loud' })).toEqual([
      'TESSERA_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      'TESSERA_CODE_DIGITS must be a whole number from 4 to 10 (got "3")',
    ]);
    // The longest lock is left at its default of 3600 seconds here.
    expect(problemsOf({ TESSERA_LOCKOUT_BASE_SECONDS: '7200' })).toEqual([
      'TESSERA_LOCKOUT_MAX_SECONDS must not be less than TESSERA_LOCKOUT_BASE_SECONDS',
    ]);
  });

  it('takes an empty variable as unset and ignores surrounding spaces', () => {
    expect(loadConfig({ PORT: ' 9000 ', TESSERA_ISSUER: '', TESSERA_DATABASE_URL: '' })).toMatchObject({
      port: 9000,
      issuer: 'Tessera',
      databaseUrl: undefined,
    });
  });

  it('reads exactly the variables the settings schema declares', () => {
    const read = new Set<string>();
    const watched = new Proxy<Record<string, string | undefined>>(
      {},
      {
        get(_target, name) {
          if (typeof name === 'string') read.add(name);
          return undefined;
        },
      },
    );
    loadConfig(watched);
    const declared = SERVER_SETTINGS.flatMap((group) => settingsOf(group).map(([name]) => name));
    expect([...read].sort()).toEqual([...declared].sort());
  });
});

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
