import { TesseraError } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { describeStartupFailure } from './startup-failure.js';

function failure(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('start-up failures in one line', () => {
  it('names the setting for a port in use, a forbidden port and a foreign host', () => {
    const inUse = failure('listen EADDRINUSE', {
      code: 'EADDRINUSE',
      syscall: 'listen',
      address: '127.0.0.1',
      port: 8080,
    });
    expect(describeStartupFailure(inUse, {})).toBe(
      '127.0.0.1:8080 is already in use: set PORT (or HOST) to a free one',
    );
    expect(
      describeStartupFailure(failure('x', { code: 'EACCES', syscall: 'listen', address: '0.0.0.0', port: 80 }), {}),
    ).toMatch(/set PORT/);
    expect(
      describeStartupFailure(
        failure('x', { code: 'EADDRNOTAVAIL', syscall: 'listen', address: '10.9.9.9', port: 1 }),
        {},
      ),
    ).toMatch(/HOST/);
  });

  it('names TESSERA_DATABASE_URL for an unreachable server, a missing database and refused credentials', () => {
    const env = { TESSERA_DATABASE_URL: 'postgres://u@db/x' };
    expect(describeStartupFailure(failure('connect', { code: 'ECONNREFUSED' }), env)).toMatch(/TESSERA_DATABASE_URL/);
    expect(describeStartupFailure(failure('db', { code: '3D000' }), env)).toMatch(/does not exist/);
    expect(describeStartupFailure(failure('auth', { code: '28P01' }), env)).toMatch(/credentials/);
  });

  it('names TESSERA_DATA_DIR for a directory it cannot write', () => {
    const denied = failure('EACCES', { code: 'EACCES', syscall: 'mkdir', path: '/root/data' });
    expect(describeStartupFailure(denied, {})).toBe(
      'cannot write to /root/data: set TESSERA_DATA_DIR to a directory Tessera may write',
    );
  });

  it('leaves anything else to be reported in full', () => {
    expect(describeStartupFailure(new Error('a bug'), {})).toBeUndefined();
    expect(describeStartupFailure('not an error', {})).toBeUndefined();
  });

  it('names HOST for a host name that does not resolve', () => {
    const unresolved = failure('x', { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'bogus.invalid' });
    expect(describeStartupFailure(unresolved, { HOST: 'bogus.invalid' })).toMatch(
      /^HOST "bogus\.invalid" is not a name/,
    );
    // Another name failing to resolve (the database's, say) is not HOST's fault.
    expect(describeStartupFailure(unresolved, { HOST: '0.0.0.0' })).toBeUndefined();
  });

  it('looks through DATABASE_UNAVAILABLE to the connection failure under it', () => {
    const refused = new TesseraError('DATABASE_UNAVAILABLE', { cause: failure('x', { code: 'ECONNREFUSED' }) });
    expect(describeStartupFailure(refused, { TESSERA_DATABASE_URL: 'postgres://db/x' })).toMatch(
      /cannot reach the PostgreSQL server \(ECONNREFUSED\)/,
    );
  });
});
