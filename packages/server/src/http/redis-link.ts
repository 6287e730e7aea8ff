import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';

/*
 * The connection to the Redis server that holds the rate-limit counts, and what is known of its
 * health. A request never waits for Redis to come back: while it is out of reach the link says
 * so at once (`reachable` is false), the counts go elsewhere (see failover-store.ts), and ioredis
 * reconnects in the background. The outage is logged once when it starts and once when it ends,
 * not on every reconnect attempt.
 */

export type RedisState = 'connecting' | 'ok' | 'down';

/** Redis on `/ready`; the reason of an outage goes to the log only (it names internal addresses). */
export interface RedisCheck {
  status: 'up' | 'degraded';
  since: string;
  /** While degraded: counted in each process's memory, or refused with 503. */
  rateLimits?: 'in_memory' | 'refused';
}

export interface RedisLinkOptions {
  url: string;
  /** How long one command or a connection attempt may take before Redis counts as out of reach. */
  timeoutMs: number;
  logger: FastifyBaseLogger;
  /** What the rate-limited routes do meanwhile, for the log line. */
  whenDown: 'memory' | 'refuse';
}

/** While Redis is down, at most one probe every this many milliseconds checks whether it is back. */
const PROBE_INTERVAL_MS = 1_000;
/** The longest pause between two reconnect attempts. */
const MAX_RECONNECT_DELAY_MS = 2_000;

export class RedisLink {
  private state: RedisState = 'connecting';
  private since = new Date();
  private lastProbeAt = 0;
  private probing = false;

  private constructor(
    readonly client: Redis,
    private readonly options: RedisLinkOptions,
  ) {
    client.on('ready', () => this.markUp());
    // ioredis emits an error per failed attempt; the listener must exist (an unhandled 'error'
    // event would end the process) but only the first of an outage is logged.
    client.on('error', (error: Error) => this.markDown(error.message));
    client.on('close', () => this.markDown('the connection closed'));
  }

  /** ioredis is loaded only when a Redis URL is set. Never throws: Redis may come up later. */
  static async open(options: RedisLinkOptions): Promise<RedisLink> {
    const { Redis } = await import('ioredis');
    const client = new Redis(options.url, {
      lazyConnect: true,
      // A command is refused at once while the connection is down, instead of being queued
      // until it comes back: no request waits for Redis.
      enableOfflineQueue: false,
      // A command in flight when the connection drops fails at once rather than being replayed.
      maxRetriesPerRequest: 0,
      connectTimeout: options.timeoutMs,
      // A Redis that accepts connections but does not answer (stopped, overloaded) is bounded too.
      commandTimeout: options.timeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
    });
    const link = new RedisLink(client, options);
    // The first connection is waited for, briefly, so that a healthy Redis counts from the first
    // request; a failure here is logged and retried in the background.
    await client.connect().catch(() => undefined);
    return link;
  }

  /** Whether a command sent now can be answered; false means: do not wait for Redis. */
  get reachable(): boolean {
    if (this.state !== 'ok') this.probeSoon();
    return this.state === 'ok';
  }

  /** A command failed: when it was the connection's fault (a timeout), Redis is down until it answers again. */
  commandFailed(error: unknown): void {
    this.markDown(error instanceof Error ? error.message : String(error));
  }

  /** What `/ready` says about Redis: its state, since when, and what the limits do meanwhile. */
  check(): RedisCheck {
    const since = this.since.toISOString();
    if (this.state === 'ok') return { status: 'up', since };
    return { status: 'degraded', since, rateLimits: this.options.whenDown === 'memory' ? 'in_memory' : 'refused' };
  }

  async close(): Promise<void> {
    this.client.removeAllListeners('ready');
    this.client.removeAllListeners('close');
    this.client.disconnect();
  }

  private markUp(): void {
    const wasDown = this.state === 'down';
    const outageStarted = this.since;
    this.state = 'ok';
    this.since = new Date();
    if (wasDown) {
      this.options.logger.info(
        { redis: redactedUrl(this.options.url), outageMs: this.since.getTime() - outageStarted.getTime() },
        'Redis is back: the rate limits are counted in Redis again',
      );
    }
  }

  private markDown(reason: string): void {
    if (this.state === 'down') return;
    this.state = 'down';
    this.since = new Date();
    const meanwhile =
      this.options.whenDown === 'memory'
        ? 'each process counts the rate limits in its own memory until it is back'
        : 'rate-limited routes answer 503 until it is back';
    this.options.logger.error({ redis: redactedUrl(this.options.url), reason }, `Redis is out of reach: ${meanwhile}`);
  }

  /**
   * A connection that timed out without closing (a Redis that stopped answering) raises no
   * 'ready' when it answers again: a ping, at most one a second and only while down, finds out.
   */
  private probeSoon(): void {
    if (this.state !== 'down' || this.probing || this.client.status !== 'ready') return;
    const now = Date.now();
    if (now - this.lastProbeAt < PROBE_INTERVAL_MS) return;
    this.lastProbeAt = now;
    this.probing = true;
    this.client
      .ping()
      .then(() => this.markUp())
      .catch((error: unknown) => this.commandFailed(error))
      .finally(() => {
        this.probing = false;
      });
  }
}

/** The URL without its password, for the log. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured Redis URL';
  }
}
