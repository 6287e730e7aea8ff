import type { LogLevel } from '@tessera/core';
import { type FastifyBaseLogger, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { type Bindings, type ChildLoggerOptions, destination, type Logger, pino } from 'pino';
import { rejectionOf } from './rejection-code.js';

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

export function createLogger(level: LogLevel, output?: NodeJS.WritableStream): Logger {
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: { req: loggedRequest } },
    output ?? bufferedStdout(),
  );
}

function loggedRequest(req: { method: string; url: string; ip?: string }) {
  return { method: req.method, url: loggedPath(req.url), ip: req.ip };
}

/**
 * A request's URL as the log shows it: the path only, and a cPanel session's security token
 * masked. cPanel's API takes its arguments in the query string, secrets and codes included
 * (`set_tfa_config?secret=…&tfa_token=…`), so a query string is never logged; the
 * `/cpsess<digits>` prefix is half of a session's credentials.
 */
export function loggedPath(url: string): string {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return path.replace(/^\/cpsess[^/]*/, '/cpsess[redacted]');
}

/** Lines wait at most this long in the buffer of standard output. */
const FLUSH_INTERVAL_MS = 1_000;

/**
 * Standard output written in blocks of 4 KiB instead of a write for each line: at the default
 * level every request logs a line, and writing each one cost about a tenth of a verification.
 * A quiet server's lines go out within FLUSH_INTERVAL_MS; pino writes what is left when the
 * process exits (also after an uncaught error). A process killed outright loses at most the
 * last second of lines: the log is for operators, the change history is in the database.
 */
function bufferedStdout(): ReturnType<typeof destination> {
  const stream = destination({ dest: 1, minLength: 4096, sync: false });
  setInterval(() => stream.flush(), FLUSH_INTERVAL_MS).unref();
  return stream;
}

/**
 * One line per request, written when the answer has gone out (method, path, address, status,
 * time), instead of Fastify's two (one on arrival, one on completion): half the serialising and
 * writing for the same information. A request that never completes is still seen, by its
 * connection's timeout error.
 */
export class OneLinePerRequest extends LogController {
  /**
   * The line holds only the fields built below, none of which can carry a secret, so it is
   * written without the redaction pass, which was most of its cost (about 7 of the 20 µs a line
   * took); every other line keeps it.
   */
  private readonly requestLine: FastifyBaseLogger;

  constructor(logger: FastifyBaseLogger) {
    super();
    this.requestLine = logger.child({}, { redact: { paths: [] } });
  }

  override incomingRequest(): void {}

  override routeNotFound(request: FastifyRequest): void {
    request.log.info(`Route ${request.raw.method}:${loggedPath(request.raw.url ?? '')} not found`);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
      return;
    }
    this.requestLine.info(
      {
        reqId: request.id,
        req: loggedRequest(request),
        res: { statusCode: reply.statusCode },
        // A refusal names its code beside the status (see rejection-code.ts).
        ...(rejectionOf(request) === undefined ? {} : { errorCode: rejectionOf(request) }),
        responseTime: reply.elapsedTime,
      },
      'request completed',
    );
  }
}

type LogFn = FastifyBaseLogger['info'];
type LevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * A request's logger, made when the request first logs. Fastify gives every request a child
 * logger bound to its id; pino's child() (the bindings serialised, the level and the redaction
 * set up) cost about 3% of a verification, for a logger most requests never use: the request
 * line comes from OneLinePerRequest's own logger. The lines it writes are the child's own.
 */
class RequestLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;
  readonly fatal = this.forward('fatal');
  readonly error = this.forward('error');
  readonly warn = this.forward('warn');
  readonly info = this.forward('info');
  readonly debug = this.forward('debug');
  readonly trace = this.forward('trace');
  readonly silent = this.forward('silent');

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): string {
    return this.made ? this.made.level : this.parent.level;
  }

  set level(level: string) {
    this.logger().level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger().child(bindings, options);
  }

  private logger(): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }

  private forward(level: LevelName): LogFn {
    // pino's LogFn is overloaded (an object first, or a message); the arguments go on as given.
    return ((...args: unknown[]) => (this.logger()[level] as (...a: unknown[]) => void)(...args)) as LogFn;
  }
}

/** Fastify's childLoggerFactory: each request's logger, made on its first line (RequestLogger). */
export function lazyRequestLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new RequestLogger(logger, bindings, options);
}
