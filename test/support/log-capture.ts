import { Writable } from 'node:stream';

/** Collects every log line written to it, for tests that read the log. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  }

  get text(): string {
    return this.lines.join('\n');
  }

  /** Where the log stands now, for `textSince`: tests sharing one server read only their own lines. */
  mark(): number {
    return this.lines.length;
  }

  /** The lines written after `mark`. */
  textSince(mark: number): string {
    return this.lines.slice(mark).join('\n');
  }
}
