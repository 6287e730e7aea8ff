import { isTesseraError } from '@tessera/core';

/**
 * Turns the usual reasons a start fails into one line that names the cause and the setting to
 * change; anything else is not recognised (undefined) and is reported with its stack.
 */
export function describeStartupFailure(error: unknown, env: Record<string, string | undefined>): string | undefined {
  if (!(error instanceof Error)) return undefined;
  // A connection refused or lost is reported by the storage as DATABASE_UNAVAILABLE; its cause
  // says which (a refused port, an unknown host).
  if (isTesseraError(error) && error.code === 'DATABASE_UNAVAILABLE' && error.cause instanceof Error) {
    return describeStartupFailure(error.cause, env);
  }
  const { code, syscall, address, port, path, hostname } = error as NodeJS.ErrnoException & {
    address?: string;
    port?: number;
    hostname?: string;
  };
  if (syscall === 'getaddrinfo' && hostname !== undefined && hostname === env.HOST) {
    return `HOST "${hostname}" is not a name this machine can resolve (${code}): set HOST to an address of this machine, or 0.0.0.0 for all`;
  }
  const where = address !== undefined && port !== undefined ? `${address}:${port}` : 'the address';
  if (syscall === 'listen') {
    if (code === 'EADDRINUSE') return `${where} is already in use: set PORT (or HOST) to a free one`;
    if (code === 'EACCES') return `not allowed to listen on ${where}: set PORT to 1024 or above`;
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      return `cannot listen on ${where}: HOST is not an address of this machine`;
    }
  }
  if (env.TESSERA_DATABASE_URL) {
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT') {
      return `cannot reach the PostgreSQL server (${code}): check TESSERA_DATABASE_URL and that the server runs`;
    }
    // PostgreSQL's own codes: 3D000 no such database, 28P01/28000 authentication refused.
    if (code === '3D000') return `the database in TESSERA_DATABASE_URL does not exist: create it or change the URL`;
    if (code === '28P01' || code === '28000') return `PostgreSQL refused the credentials in TESSERA_DATABASE_URL`;
  }
  if ((code === 'EACCES' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EPERM') && path !== undefined) {
    return `cannot write to ${path}: set TESSERA_DATA_DIR to a directory Tessera may write`;
  }
  if (error.message.includes('unable to open database file')) {
    return 'cannot open the database file: set TESSERA_DATA_DIR to a directory Tessera may write';
  }
  return undefined;
}
