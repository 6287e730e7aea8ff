import type {
  CodeSendOutcome,
  CoreMetrics,
  DeliveryChannel,
  LockoutKind,
  PasswordCheckOutcome,
  PasswordThrottleBudget,
  VerificationOutcome,
  WebhookAttemptOutcome,
} from '@tessera/core';
import type { ConnectionPoolFigures, StatementKind, StorageMetrics } from '@tessera/storage-kysely';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RateLimitGroup } from '../http/rate-limit.js';

/** Request latency buckets, in seconds: a 2FA call is milliseconds; the tail is Argon2 and SMTP. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Statement buckets, in seconds: a point lookup is tens of microseconds on SQLite, a commit more. */
const STATEMENT_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** Writes per group commit: powers of two up to a large burst. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/**
 * Every Prometheus metric of one server process, in its own registry (never prom-client's global
 * one, so two apps in one process, as in tests, do not share counts). It backs the core's
 * CoreMetrics port and the storage's StorageMetrics; the HTTP layer records requests and
 * rate-limit refusals into it.
 */
export class ServerMetrics implements CoreMetrics, StorageMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status_class'>;
  private readonly requestDuration: Histogram<'route' | 'method' | 'status_class'>;
  private readonly verifications: Counter<'method' | 'outcome'>;
  private readonly lockouts: Counter<'kind'>;
  private readonly rateLimited: Counter<'group'>;
  private readonly codesSent: Counter<'channel' | 'provider' | 'outcome'>;
  private readonly passwordChecks: Counter<'outcome'>;
  private readonly passwordThrottled: Counter<'budget'>;
  private readonly statementDuration: Histogram<'kind'>;
  private readonly statementErrors: Counter<'kind'>;
  private readonly groupCommitBatches: Histogram;
  private readonly webhookAttempts: Counter<'outcome'>;
  private readonly webhookBacklog: Gauge;
  private readPool: (() => ConnectionPoolFigures) | undefined;

  constructor(build: { version: string }) {
    const registers = [this.registry];
    // Node's own figures (CPU, memory, GC, handles, event-loop lag), under the same prefix.
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_' });
    new Gauge({
      name: 'tessera_build_info',
      help: 'Always 1; the labels name the running build.',
      labelNames: ['version', 'node_version'],
      // Summed over the workers of a cluster it would count them: every worker runs one build.
      aggregator: 'first',
      registers,
    }).set({ version: build.version, node_version: process.version }, 1);
    this.requests = new Counter({
      name: 'tessera_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status class (2xx, 4xx, ...).',
      labelNames: ['route', 'method', 'status_class'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'tessera_http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by route pattern, method and status class.',
      labelNames: ['route', 'method', 'status_class'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.verifications = new Counter({
      name: 'tessera_second_factor_verifications_total',
      help: 'Second-factor answers decided, by method and outcome (ok, wrong, replayed, locked, suspended).',
      labelNames: ['method', 'outcome'],
      registers,
    });
    this.lockouts = new Counter({
      name: 'tessera_lockouts_started_total',
      help: 'Failures that locked (timed) or suspended (until an admin unlocks) an account.',
      labelNames: ['kind'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'tessera_rate_limit_refusals_total',
      help: 'Requests refused by a rate limit, by route group.',
      labelNames: ['group'],
      registers,
    });
    this.codesSent = new Counter({
      name: 'tessera_codes_sent_total',
      help: 'One-time codes handed to a delivery provider, by channel (sms, email), provider and outcome (sent, failed).',
      labelNames: ['channel', 'provider', 'outcome'],
      registers,
    });
    this.passwordChecks = new Counter({
      name: 'tessera_password_checks_total',
      help: 'Password tries (sign-in, HTTP Basic, re-confirmation), by outcome (ok, wrong, throttled).',
      labelNames: ['outcome'],
      registers,
    });
    this.passwordThrottled = new Counter({
      name: 'tessera_password_throttled_total',
      help: 'Password tries refused unchecked, by the failure budget that refused them (account, address).',
      labelNames: ['budget'],
      registers,
    });
    this.statementDuration = new Histogram({
      name: 'tessera_db_statement_duration_seconds',
      help: 'Time the database took to answer a statement (failed ones included), by kind (select, insert, update, delete, other).',
      labelNames: ['kind'],
      buckets: STATEMENT_BUCKETS,
      registers,
    });
    this.statementErrors = new Counter({
      name: 'tessera_db_statement_errors_total',
      help: 'Statements the database failed (a lost connection, a constraint, a full disk), by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.groupCommitBatches = new Histogram({
      name: 'tessera_db_group_commit_batch_size',
      help: "Second-factor attempts' writes that shared one commit (1: a write that ran alone).",
      buckets: BATCH_BUCKETS,
      registers,
    });
    this.webhookAttempts = new Counter({
      name: 'tessera_webhook_deliveries_total',
      help: 'Webhook attempts, by outcome (delivered, failed_attempt, gave_up, disabled: the endpoint answered 410).',
      labelNames: ['outcome'],
      registers,
    });
    this.webhookBacklog = new Gauge({
      name: 'tessera_webhook_outbox_due',
      help: 'Webhook deliveries pending and due, to enabled endpoints, when the dispatcher last looked: the outbox backlog.',
      // Every worker's dispatcher looks at the same outbox: summed over a cluster it would count it once per worker.
      aggregator: 'max',
      registers,
    });
  }

  secondFactorVerified(method: string, outcome: VerificationOutcome): void {
    this.verifications.inc({ method, outcome });
  }

  lockoutStarted(kind: LockoutKind): void {
    this.lockouts.inc({ kind });
  }

  codeSent(channel: DeliveryChannel, provider: string, outcome: CodeSendOutcome): void {
    this.codesSent.inc({ channel, provider, outcome });
  }

  passwordChecked(outcome: PasswordCheckOutcome, throttledBy?: PasswordThrottleBudget): void {
    this.passwordChecks.inc({ outcome });
    if (throttledBy) this.passwordThrottled.inc({ budget: throttledBy });
  }

  webhookAttempted(outcome: WebhookAttemptOutcome): void {
    this.webhookAttempts.inc({ outcome });
  }

  webhookBacklogSeen(due: number): void {
    this.webhookBacklog.set(due);
  }

  statementFinished(kind: StatementKind, seconds: number, failed: boolean): void {
    this.statementDuration.observe({ kind }, seconds);
    if (failed) this.statementErrors.inc({ kind });
  }

  groupCommitted(writes: number): void {
    this.groupCommitBatches.observe(writes);
  }

  /**
   * Registers the pool gauges, read at each scrape; a storage without a pool (SQLite) has none.
   * Told again (another storage on the same metrics), the newer read replaces the older.
   */
  watchConnectionPool(read: () => ConnectionPoolFigures): void {
    const watched = this.readPool !== undefined;
    this.readPool = read;
    if (watched) return;
    const registers = [this.registry];
    const readPool = () => this.readPool?.() ?? { total: 0, idle: 0, waiting: 0 };
    const gauge = (name: string, help: string, figure: keyof ConnectionPoolFigures) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(readPool()[figure]);
        },
      });
    gauge('tessera_db_pool_connections', 'PostgreSQL connections open in the pool, idle or in use.', 'total');
    gauge('tessera_db_pool_idle_connections', 'PostgreSQL connections open and idle in the pool.', 'idle');
    gauge('tessera_db_pool_waiting_requests', 'Statements waiting for a pool connection: all are in use.', 'waiting');
  }

  rateLimitRefused(group: RateLimitGroup): void {
    this.rateLimited.inc({ group });
  }

  /**
   * `route` is the pattern the router matched (`/v1/users/:id`), never the URL asked for: ids in
   * paths would make a series per user. A request no route matched counts under `unmatched`.
   */
  requestAnswered(request: { route: string | undefined; method: string; statusCode: number; seconds: number }): void {
    const labels = {
      route: request.route ?? 'unmatched',
      method: request.method,
      status_class: `${Math.floor(request.statusCode / 100)}xx`,
    };
    this.requests.inc(labels);
    this.requestDuration.observe(labels, request.seconds);
  }

  /** The Prometheus text exposition of every metric. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
