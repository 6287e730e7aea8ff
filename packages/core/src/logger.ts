/**
 * The logging port (pino's method shapes). Callers pass only facts that are safe to keep:
 * never a secret, a code, a password or a token.
 */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
