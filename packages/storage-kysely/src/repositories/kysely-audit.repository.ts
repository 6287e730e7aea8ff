import type { AuditCheckpointRecord, AuditEntryRecord, AuditFilter, AuditHead, AuditRepository } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database.js';
import { durableWrite } from '../durable-write.js';
import type { StorageDialect } from '../storage-dialect.js';
import type { AuditCheckpointRow, AuditEntryRow } from '../tables/audit.table.js';
import { toDate, toMillis } from './time-columns.js';

const HEAD_ID = 1;

export class KyselyAuditRepository implements AuditRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: StorageDialect,
  ) {}

  async append(build: (head: AuditHead) => AuditEntryRecord): Promise<AuditEntryRecord> {
    // Durable, and inside a unit of work part of it. Three statements: the head read under a
    // lock (PostgreSQL: the row lock, which every other appender on any node waits for; SQLite:
    // every transaction began IMMEDIATE and so already holds the one write lock), the entry, and
    // the head moved on. Waiting appenders then read the head as the one before them left it.
    return durableWrite(this.db, this.dialect, async (trx) => {
      let query = trx.selectFrom('audit_head').selectAll().where('id', '=', HEAD_ID);
      if (this.dialect === 'postgres') query = query.forUpdate();
      const head = toHead(await query.executeTakeFirstOrThrow());
      const entry = build(head);
      if (entry.seq !== head.seq + 1 || entry.prevHash !== head.hash) {
        throw new Error('an audit entry must follow the head it was built from');
      }
      await trx
        .insertInto('audit_entries')
        .values({
          seq: entry.seq,
          prev_hash: entry.prevHash,
          hash: entry.hash,
          created_at: toMillis(entry.createdAt),
          actor_kind: entry.actorKind,
          actor_id: entry.actorId,
          action: entry.action,
          target_user_id: entry.targetUserId,
          client_ip: entry.clientIp,
          details: entry.details,
        })
        .execute();
      await trx.updateTable('audit_head').set({ seq: entry.seq, hash: entry.hash }).where('id', '=', HEAD_ID).execute();
      return entry;
    });
  }

  async head(): Promise<AuditHead> {
    return toHead(
      await this.db.selectFrom('audit_head').selectAll().where('id', '=', HEAD_ID).executeTakeFirstOrThrow(),
    );
  }

  async range(fromSeq: number, limit: number): Promise<AuditEntryRecord[]> {
    const rows = await this.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('seq', '>=', fromSeq)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toEntry);
  }

  async list(filter: AuditFilter, limit: number, beforeSeq?: number): Promise<AuditEntryRecord[]> {
    let query = this.db.selectFrom('audit_entries').selectAll();
    if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId);
    if (filter.targetUserId !== undefined) query = query.where('target_user_id', '=', filter.targetUserId);
    if (filter.action !== undefined) query = query.where('action', '=', filter.action);
    if (filter.since !== undefined) query = query.where('created_at', '>=', toMillis(filter.since));
    if (filter.until !== undefined) query = query.where('created_at', '<', toMillis(filter.until));
    if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
    const rows = await query.orderBy('seq', 'desc').limit(limit).execute();
    return rows.map(toEntry);
  }

  async insertCheckpoint(checkpoint: AuditCheckpointRecord): Promise<boolean> {
    const result = await durableWrite(this.db, this.dialect, (trx) =>
      trx
        .insertInto('audit_checkpoints')
        .values({
          seq: checkpoint.seq,
          hash: checkpoint.hash,
          created_at: toMillis(checkpoint.createdAt),
          kid: checkpoint.kid,
          signature: checkpoint.signature,
        })
        .onConflict((oc) => oc.column('seq').doNothing())
        .executeTakeFirst(),
    );
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async listCheckpoints(limit: number): Promise<AuditCheckpointRecord[]> {
    const rows = await this.db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toCheckpoint);
  }

  async findCheckpoint(seq: number): Promise<AuditCheckpointRecord | undefined> {
    const row = await this.db.selectFrom('audit_checkpoints').selectAll().where('seq', '=', seq).executeTakeFirst();
    return row && toCheckpoint(row);
  }

  async latestCheckpointAtOrBefore(time: Date): Promise<AuditCheckpointRecord | undefined> {
    const row = await this.db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('created_at', '<=', toMillis(time))
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toCheckpoint(row);
  }

  async prune(throughSeq: number): Promise<number> {
    return durableWrite(this.db, this.dialect, async (trx) => {
      let query = trx.selectFrom('audit_head').selectAll().where('id', '=', HEAD_ID);
      if (this.dialect === 'postgres') query = query.forUpdate();
      const head = toHead(await query.executeTakeFirstOrThrow());
      if (throughSeq <= head.prunedThrough || throughSeq > head.seq) return 0;
      const anchor = await trx
        .selectFrom('audit_checkpoints')
        .select('seq')
        .where('seq', '=', throughSeq)
        .executeTakeFirst();
      if (!anchor) throw new Error(`no audit checkpoint at seq ${throughSeq} to prune to`);
      const deleted = await trx.deleteFrom('audit_entries').where('seq', '<=', throughSeq).executeTakeFirst();
      await trx.updateTable('audit_head').set({ pruned_through: throughSeq }).where('id', '=', HEAD_ID).execute();
      return Number(deleted.numDeletedRows);
    });
  }
}

function toHead(row: { seq: number; hash: string; pruned_through: number }): AuditHead {
  return { seq: Number(row.seq), hash: row.hash, prunedThrough: Number(row.pruned_through) };
}

function toEntry(row: AuditEntryRow): AuditEntryRecord {
  return {
    seq: Number(row.seq),
    prevHash: row.prev_hash,
    hash: row.hash,
    createdAt: toDate(Number(row.created_at)),
    actorKind: row.actor_kind,
    actorId: row.actor_id,
    action: row.action,
    targetUserId: row.target_user_id,
    clientIp: row.client_ip,
    details: row.details,
  };
}

function toCheckpoint(row: AuditCheckpointRow): AuditCheckpointRecord {
  return {
    seq: Number(row.seq),
    hash: row.hash,
    createdAt: toDate(Number(row.created_at)),
    kid: row.kid,
    signature: row.signature,
  };
}
