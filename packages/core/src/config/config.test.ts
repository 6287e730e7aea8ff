import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseSecretKey } from './config.js';

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

  it('selects PostgreSQL by URL', () => {
    expect(loadConfig({ TESSERA_DATABASE_URL: 'postgres://u@h/db' }).databaseUrl).toBe('postgres://u@h/db');
  });
});
