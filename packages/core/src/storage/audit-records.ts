import type { AuditActorKind, SecurityEventAction } from '../audit/events.js';

/** One link of the audit chain, as stored. `details` is canonical JSON (keys sorted), hashed as stored. */
export interface AuditEntryRecord {
  /** 1, 2, 3, … with no gap: the chain's order. */
  seq: number;
  /** The hash of entry `seq - 1` (or of the pruning anchor; 64 zeros before the first entry). */
  prevHash: string;
  /** SHA-256 over the entry's canonical encoding (audit/audit-chain.ts), hex. */
  hash: string;
  createdAt: Date;
  actorKind: AuditActorKind;
  actorId: string | null;
  action: SecurityEventAction;
  /** The account the event is about; kept as it was, even after the account is deleted. */
  targetUserId: string | null;
  clientIp: string | null;
  details: string;
}

/** The chain's head (the last entry's seq and hash) and where it starts after pruning. */
export interface AuditHead {
  seq: number;
  hash: string;
  /** Entries through this seq were pruned; the checkpoint at it is the chain's anchor (0: none pruned). */
  prunedThrough: number;
}

/** A signed statement of the chain head at a moment: `signature` is a compact JWS (EdDSA) of seq, hash, time. */
export interface AuditCheckpointRecord {
  seq: number;
  hash: string;
  createdAt: Date;
  kid: string;
  signature: string;
}

export interface AuditFilter {
  actorId?: string;
  targetUserId?: string;
  action?: SecurityEventAction;
  since?: Date;
  until?: Date;
}
