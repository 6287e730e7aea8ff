import type { Driver } from 'kysely';
import pg from 'pg';
import { translateDatabaseError } from '../database-unavailable.js';
import type { ConnectionPoolFigures } from '../storage-metrics.js';
import { CurrentSchemaPostgresDialect } from './current-schema-introspector.js';
import { TranslatingDriver } from './translating-driver.js';

/** OID of PostgreSQL's int8 (bigint); also what count(*) returns. */
const INT8_OID = 20;

/** An unquoted schema name: anything else would need quoting inside the `-c search_path=` option. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

export interface PostgresDialectOptions {
  /** A `postgres://` or `postgresql://` URL. */
  url: string;
  /** Schema to put first in the search_path (tables are created and found there). */
  searchPath?: string | undefined;
  /** Pool size; several requests of one process run their queries in parallel. */
  maxConnections?: number | undefined;
  /**
   * How long opening a connection may take before the request that needed it is answered
   * DATABASE_UNAVAILABLE. @default 5000
   */
  connectionTimeoutMs?: number | undefined;
  /**
   * Told of each connection the server or the network took away (a restart, a failover,
   * pg_terminate_backend, an idle-connection reaper); the pool replaces it on the next checkout.
   */
  onConnectionError?: ((error: Error) => void) | undefined;
}

/** Long enough for a connect across a data centre; short enough that a request fails fast. */
const DEFAULT_CONNECTION_TIMEOUT_MS = 5000;

/**
 * How long a request waits for its turn at a pool whose connections are all busy. That is load,
 * not an outage (a burst of a thousand requests queues for seconds on a pool of ten), so it is
 * far longer than a connect may take; past it the database is as good as unavailable.
 */
const POOL_WAIT_TIMEOUT_MS = 30_000;

/**
 * A Kysely dialect over a pg Pool of its own.
 *
 * Times and some counters are BIGINT columns, which pg returns as strings by default. The
 * pool's clients get their own type parser that returns numbers for int8, instead of changing
 * the process-wide `pg.types`, which other code in the process may rely on.
 */
export function createPostgresDialect(options: PostgresDialectOptions): TranslatingPostgresDialect {
  const { searchPath } = options;
  if (searchPath !== undefined && !SCHEMA_NAME.test(searchPath)) {
    throw new Error(`Invalid PostgreSQL schema name "${searchPath}": use lower-case letters, digits and "_"`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    ...(searchPath !== undefined ? { options: `-c search_path=${searchPath}` } : {}),
    types: { getTypeParser: int8AsNumberTypeParser },
    // pg-pool's one timeout bounds both the wait for a turn and a connect; the connect gets its
    // own, shorter bound from the client (BoundedConnectClient below).
    connectionTimeoutMillis: POOL_WAIT_TIMEOUT_MS,
    Client: boundedConnectClient(options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS),
    // A server that vanished without closing the socket (a failover, a cut cable) is noticed.
    keepAlive: true,
  });
  listenForConnectionErrors(pool, options.onConnectionError ?? (() => {}));
  return new TranslatingPostgresDialect(pool);
}

/**
 * A client whose connect gives up after `timeoutMs`. Without a bound a request waits for an
 * unreachable server as long as the OS lets a connect hang; with one it gets
 * DATABASE_UNAVAILABLE, and the caller can retry.
 */
function boundedConnectClient(timeoutMs: number): typeof pg.Client {
  return class BoundedConnectClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super({
        ...(typeof config === 'string' ? { connectionString: config } : config),
        connectionTimeoutMillis: timeoutMs,
      });
    }
  };
}

/**
 * An 'error' event without a listener throws, and a thrown event ends the process: the pool
 * emits one for an idle connection the server closed, and a client emits one for a connection
 * lost while it is checked out between two statements (inside a transaction, say). Both are
 * listened to; the connection is no longer queryable, so the pool drops it when it comes back
 * and opens a new one for the next request.
 */
function listenForConnectionErrors(pool: pg.Pool, onError: (error: Error) => void): void {
  // An idle connection's error reaches both listeners: it is reported once.
  const reported = new WeakSet<Error>();
  const report = (error: Error) => {
    if (reported.has(error)) return;
    reported.add(error);
    onError(error);
  };
  pool.on('error', report);
  pool.on('connect', (client) => {
    client.on('error', report);
  });
}

/** The dialect whose driver answers a lost connection as DATABASE_UNAVAILABLE. */
export class TranslatingPostgresDialect extends CurrentSchemaPostgresDialect {
  constructor(private readonly pool: pg.Pool) {
    super({ pool });
  }

  /** The pool's figures now (pg-pool keeps them): for the metrics. */
  connectionPool(): ConnectionPoolFigures {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  override createDriver(): Driver {
    return new TranslatingDriver(super.createDriver(), translateDatabaseError);
  }
}

const int8AsNumberTypeParser = ((oid: number, format?: 'text' | 'binary') => {
  if (oid === INT8_OID && format !== 'binary') return parseInt8;
  return pg.types.getTypeParser(oid, format);
}) as typeof pg.types.getTypeParser;

function parseInt8(value: string): number {
  const parsed = Number(value);
  // Milliseconds, steps and counts are far below 2^53; past it a silent rounding would be worse
  // than an error.
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`int8 value ${value} does not fit in a JavaScript number`);
  return parsed;
}
