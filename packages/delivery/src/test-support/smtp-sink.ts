import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  mailFrom: string | undefined;
  rcptTo: string[];
  /** The authenticated user, when the client logged in. */
  user: string | undefined;
  /** The message as the server received it (headers and body). */
  raw: string;
}

/** A real SMTP server on 127.0.0.1 and a random port that keeps every message it accepts. */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** Connection errors the server reported (a client hanging up mid-TLS, ...); kept, not thrown. */
  readonly errors: Error[] = [];
  private readonly server: SMTPServer;

  private constructor(options: SMTPServerOptions) {
    this.server = new SMTPServer({
      // No certificate to trust in tests, so no STARTTLS; the client then stays in plain text.
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      logger: false,
      ...options,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.received.push({
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            rcptTo: session.envelope.rcptTo.map((address) => address.address),
            user: typeof session.user === 'string' ? session.user : undefined,
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    // SMTPServer emits 'error' for every broken connection; without a listener that would crash.
    this.server.on('error', (error: Error) => this.errors.push(error));
  }

  static async start(options: SMTPServerOptions = {}): Promise<SmtpSink> {
    const sink = new SmtpSink(options);
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Splits a raw RFC 5322 message into unfolded headers (lower-case names) and body. */
export function parseMail(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(split + 4) };
}
