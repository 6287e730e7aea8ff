import type { AuditCheckpointRecord } from '../storage/audit-records.js';
import { canonicalJson } from './audit-chain.js';

/** A checkpoint as published and as an operator keeps it (optionally with the public key that signed it). */
export interface AuditCheckpointView {
  seq: number;
  hash: string;
  createdAt: string;
  kid: string;
  /** Compact JWS (EdDSA, Ed25519) whose payload is the canonical JSON of `{createdAt, hash, seq}`. */
  signature: string;
}

/** What a checkpoint's signature covers: one text for one checkpoint. */
export function checkpointPayload(checkpoint: { seq: number; hash: string; createdAt: string }): string {
  return canonicalJson({ seq: checkpoint.seq, hash: checkpoint.hash, createdAt: checkpoint.createdAt });
}

export function toCheckpointView(record: AuditCheckpointRecord): AuditCheckpointView {
  return {
    seq: record.seq,
    hash: record.hash,
    createdAt: record.createdAt.toISOString(),
    kid: record.kid,
    signature: record.signature,
  };
}
