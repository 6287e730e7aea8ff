import type { AuditCheckpointRecord, AuditEntryRecord, AuditFilter, AuditHead } from './audit-records.js';

/** The audit chain's storage. The hash is computed by the core; the storage keeps the order. */
export interface AuditRepository {
  /**
   * Appends one entry at the head: reads the head under a lock every other appender waits for
   * (a row lock on PostgreSQL, the write lock on SQLite), stores what `build` makes of it
   * (its seq must be head.seq + 1, its prevHash head.hash) and moves the head. Inside a unit of
   * work it joins that transaction; alone it is a durable transaction of its own.
   */
  append(build: (head: AuditHead) => AuditEntryRecord): Promise<AuditEntryRecord>;
  head(): Promise<AuditHead>;
  /** Entries with seq ≥ `fromSeq` in seq order, at most `limit`. */
  range(fromSeq: number, limit: number): Promise<AuditEntryRecord[]>;
  /** Newest first; `beforeSeq` continues a listing (keyset paging). */
  list(filter: AuditFilter, limit: number, beforeSeq?: number): Promise<AuditEntryRecord[]>;
  /** Stores the checkpoint; false when one at that seq exists already (another process wrote it). */
  insertCheckpoint(checkpoint: AuditCheckpointRecord): Promise<boolean>;
  /** Newest first. */
  listCheckpoints(limit: number): Promise<AuditCheckpointRecord[]>;
  findCheckpoint(seq: number): Promise<AuditCheckpointRecord | undefined>;
  /** The newest checkpoint made at or before `time` (what pruning may prune to). */
  latestCheckpointAtOrBefore(time: Date): Promise<AuditCheckpointRecord | undefined>;
  /**
   * Deletes the entries with seq ≤ `throughSeq` and records it as the anchor (a checkpoint at that
   * seq must exist); returns how many were deleted. Never moves the anchor back.
   */
  prune(throughSeq: number): Promise<number>;
}
