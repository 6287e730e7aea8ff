import type { Logger } from '@tessera/core';

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg: string | undefined;
}

/** A Logger that keeps every call, for tests that read what a sender logged. */
export class CaptureLogger implements Logger {
  readonly entries: LogEntry[] = [];

  info(obj: object, msg?: string): void {
    this.entries.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.entries.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg?: string): void {
    this.entries.push({ level: 'error', obj, msg });
  }

  /** Every entry as one JSON line, as a JSON logger would write it. */
  get text(): string {
    return this.entries.map((entry) => JSON.stringify(entry)).join('\n');
  }
}
