import { createHash } from 'node:crypto';
import type { AuditEntryRecord } from '../storage/audit-records.js';

/** The prevHash of the first entry ever written. */
export const GENESIS_HASH = '0'.repeat(64);

/** Names the encoding, so a future change of it cannot be mistaken for this one. */
const ENCODING = 'tessera-audit-v1';

/**
 * The entry's hash: SHA-256 over a JSON array of its fields in a fixed order, its details being
 * the canonical JSON string as stored. A plain (unkeyed) hash on purpose: anyone holding a copy of
 * the rows and a signed checkpoint can check the chain without any secret of the server. What
 * stops someone with write access to the database from rewriting the whole chain is the signed
 * checkpoint kept elsewhere (see docs/security.md), not the hash.
 */
export function entryHash(entry: Omit<AuditEntryRecord, 'hash'>): string {
  const encoded = JSON.stringify([
    ENCODING,
    entry.seq,
    entry.prevHash,
    entry.createdAt.getTime(),
    entry.actorKind,
    entry.actorId,
    entry.action,
    entry.targetUserId,
    entry.clientIp,
    entry.details,
  ]);
  return createHash('sha256').update(encoded, 'utf8').digest('hex');
}

/** JSON with object keys sorted at every level: one text for one value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) sorted[key] = sortKeys(field);
  }
  return sorted;
}
