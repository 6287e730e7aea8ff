import { CompactSign, type JWK } from 'jose';
import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { SigningKeys } from '../sessions/signing-keys.js';
import type { AuditCheckpointRecord, AuditEntryRecord, AuditFilter } from '../storage/audit-records.js';
import type { AuditRepository } from '../storage/audit-repository.js';
import { canonicalJson, entryHash } from './audit-chain.js';
import { type AuditCheckpointView, checkpointPayload, toCheckpointView } from './audit-checkpoint.js';
import { type AuditContext, SYSTEM_AUDIT_CONTEXT } from './audit-context.js';
import { type AuditVerification, type KeptCheckpoint, verifyAuditChain } from './audit-verifier.js';
import type { SecurityEvent, SecurityEventAction } from './events.js';

export const AUDIT_SIGNING_KEYS = { setting: 'audit_signing_keys', sealContext: 'audit-signing-key' } as const;

export interface AuditEntryView {
  seq: number;
  createdAt: string;
  actorKind: AuditEntryRecord['actorKind'];
  actorId: string | null;
  action: SecurityEventAction;
  targetUserId: string | null;
  clientIp: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditQuery extends AuditFilter {
  limit?: number;
  /** Continue a listing: the entries older than this seq. */
  before?: number;
}

export const AUDIT_MAX_LIMIT = 200;

export interface AuditListing {
  items: AuditEntryView[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  next: number | null;
}

/**
 * The tamper-evident audit trail: every security event is appended to one hash chain (see
 * audit-chain.ts), and the chain head is signed at intervals (checkpoints) with an Ed25519 key
 * kept sealed like the access-token signing keys.
 */
export class AuditTrail {
  constructor(
    private readonly deps: {
      audit: AuditRepository;
      clock: Clock;
      /** The checkpoints' keys (AUDIT_SIGNING_KEYS); retired ones are kept, old checkpoints still verify. */
      keys: SigningKeys;
      authorizer: Authorizer;
      logger: Logger;
      /** Entries older than this many days are pruned (up to a checkpoint); undefined keeps them for ever. */
      retentionDays?: number | undefined;
    },
  ) {}

  /**
   * Appends the event. `audit` is the audit repository of the unit of work that makes the change,
   * so the entry commits with it (or not at all); without one it is a transaction of its own.
   */
  async record(
    event: SecurityEvent,
    by: AuditContext,
    audit: AuditRepository = this.deps.audit,
  ): Promise<AuditEntryRecord> {
    const createdAt = this.deps.clock.now();
    const details = canonicalJson(event.details);
    return audit.append((head) => {
      const entry = {
        seq: head.seq + 1,
        prevHash: head.hash,
        createdAt,
        actorKind: by.actorKind,
        actorId: by.actorId,
        action: event.action,
        targetUserId: event.userId,
        clientIp: by.clientIp,
        details,
      };
      return { ...entry, hash: entryHash(entry) };
    });
  }

  /** Admins and the command line: the entries, newest first, with filters. */
  async list(actor: Actor, query: AuditQuery): Promise<AuditListing> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    const limit = Math.max(1, Math.min(query.limit ?? 50, AUDIT_MAX_LIMIT));
    const { limit: _limit, before, ...filter } = query;
    // One more than asked: whether there is a next page, without counting the whole table.
    const rows = await this.deps.audit.list(filter, limit + 1, before);
    const items = rows.slice(0, limit).map(toAuditEntryView);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit && last ? last.seq : null };
  }

  /**
   * Signs the chain head and stores the checkpoint; undefined when the chain is empty or the head
   * is already checkpointed (another process may have done it a moment ago: that is fine).
   */
  async checkpoint(): Promise<AuditCheckpointView | undefined> {
    const head = await this.deps.audit.head();
    if (head.seq === 0) return undefined;
    if (await this.deps.audit.findCheckpoint(head.seq)) return undefined;
    const createdAt = this.deps.clock.now();
    const { kid, privateKey } = await this.deps.keys.current();
    const signature = await new CompactSign(
      new TextEncoder().encode(
        checkpointPayload({ seq: head.seq, hash: head.hash, createdAt: createdAt.toISOString() }),
      ),
    )
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .sign(privateKey);
    const record: AuditCheckpointRecord = { seq: head.seq, hash: head.hash, createdAt, kid, signature };
    return (await this.deps.audit.insertCheckpoint(record)) ? toCheckpointView(record) : undefined;
  }

  /** The operator's on-demand checkpoint (`tessera audit checkpoint`): the new one, or the head's existing one. */
  async checkpointNow(actor: Actor): Promise<AuditCheckpointView | undefined> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const made = await this.checkpoint();
    if (made) return made;
    const head = await this.deps.audit.head();
    const existing = await this.deps.audit.findCheckpoint(head.seq);
    return existing && toCheckpointView(existing);
  }

  /** Walks the chain and checks its checkpoints (and `from`, one kept elsewhere): `tessera audit verify`. */
  async verify(actor: Actor, from?: KeptCheckpoint | { seq: number }): Promise<AuditVerification> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    return verifyAuditChain(this.deps.audit, { publicJwk: (kid) => this.publicJwk(kid), ...(from ? { from } : {}) });
  }

  /** What anyone may fetch: the public keys and the newest checkpoints. */
  async published(limit = 20): Promise<{ keys: JWK[]; checkpoints: AuditCheckpointView[] }> {
    const [{ keys }, checkpoints] = await Promise.all([
      this.deps.keys.jwks(),
      this.deps.audit.listCheckpoints(Math.max(1, Math.min(limit, AUDIT_MAX_LIMIT))),
    ]);
    return { keys, checkpoints: checkpoints.map(toCheckpointView) };
  }

  /** The public key of `kid` as a JWK, if it is one of the audit keys. */
  async publicJwk(kid: string): Promise<JWK | undefined> {
    return (await this.deps.keys.jwks()).keys.find((key) => key.kid === kid);
  }

  /**
   * Deletes the entries older than the retention, only up to the newest checkpoint made before
   * the cutoff: that checkpoint becomes the anchor the chain is verified from. Records the pruning.
   */
  async prune(): Promise<{ throughSeq: number; removed: number } | undefined> {
    const days = this.deps.retentionDays;
    if (days === undefined || days <= 0) return undefined;
    const cutoff = new Date(this.deps.clock.now().getTime() - days * 86_400_000);
    const head = await this.deps.audit.head();
    const anchor = await this.deps.audit.latestCheckpointAtOrBefore(cutoff);
    if (!anchor || anchor.seq <= head.prunedThrough) return undefined;
    const removed = await this.deps.audit.prune(anchor.seq);
    if (removed === 0) return undefined;
    const outcome = { throughSeq: anchor.seq, removed };
    await this.record({ action: 'audit.pruned', userId: null, details: outcome }, SYSTEM_AUDIT_CONTEXT);
    this.deps.logger.info(outcome, 'pruned audit entries past their retention');
    return outcome;
  }

  /** The periodic work: a checkpoint of the head, then pruning by the retention. */
  async maintain(): Promise<void> {
    await this.checkpoint();
    await this.prune();
  }
}

export function toAuditEntryView(record: AuditEntryRecord): AuditEntryView {
  return {
    seq: record.seq,
    createdAt: record.createdAt.toISOString(),
    actorKind: record.actorKind,
    actorId: record.actorId,
    action: record.action,
    targetUserId: record.targetUserId,
    clientIp: record.clientIp,
    details: JSON.parse(record.details) as Record<string, unknown>,
    prevHash: record.prevHash,
    hash: record.hash,
  };
}
