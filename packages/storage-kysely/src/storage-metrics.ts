import type { LogEvent, RootOperationNode } from 'kysely';
import type { StatementObserver } from './dialects/immediate-statements.js';

/** What a statement does, as counted: a fixed, low set of label values. */
export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'other';

/** A PostgreSQL pool's figures at one moment. */
export interface ConnectionPoolFigures {
  /** Connections open (idle or in use). */
  total: number;
  idle: number;
  /** Requests waiting for a connection because every one is in use. */
  waiting: number;
}

/**
 * The figures the storage reports (the server backs this with Prometheus metrics). The storage
 * knows nothing of how they are kept; without one, nothing is measured and no statement is timed.
 */
export interface StorageMetrics {
  /** One statement answered or failed, after `seconds`. */
  statementFinished(kind: StatementKind, seconds: number, failed: boolean): void;
  /** A group commit's batch: the writes that shared one commit (1 when a write ran alone). */
  groupCommitted(writes: number): void;
  /** Told once, by a storage with a connection pool (PostgreSQL), how to read its figures. */
  watchConnectionPool(read: () => ConnectionPoolFigures): void;
}

/** Kysely's query log, turned into statement figures (Kysely times each statement for it). */
export function statementLog(metrics: StorageMetrics): (event: LogEvent) => void {
  return (event) =>
    metrics.statementFinished(
      statementKind(event.query.query),
      event.queryDurationMillis / 1000,
      event.level === 'error',
    );
}

/** The same for the statements run outside Kysely's executor (immediate-statements.ts). */
export function statementObserver(metrics: StorageMetrics): StatementObserver {
  return (query, seconds, failed) => metrics.statementFinished(statementKind(query.query), seconds, failed);
}

function statementKind(node: RootOperationNode): StatementKind {
  switch (node.kind) {
    case 'SelectQueryNode':
      return 'select';
    case 'InsertQueryNode':
      return 'insert';
    case 'UpdateQueryNode':
      return 'update';
    case 'DeleteQueryNode':
      return 'delete';
    default:
      // Raw SQL (transaction control, PRAGMA, a hand-written statement) and schema changes.
      return 'other';
  }
}
