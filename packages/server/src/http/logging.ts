import type { LogLevel } from '@tessera/core';
import { type Logger, pino } from 'pino';

/**
 * Request logs keep method, path, status and timing only. Bodies and headers are never
 * logged, so passwords, codes and tokens cannot reach the log; the redaction list is a second
 * line of defence for anything that logs an object carrying one by mistake.
 */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.code',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
];

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: req.url, ip: req.ip }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
