import { compactVerify, importJWK, type JWK } from 'jose';
import type { AuditEntryRecord } from '../storage/audit-records.js';
import type { AuditRepository } from '../storage/audit-repository.js';
import { entryHash, GENESIS_HASH } from './audit-chain.js';
import { type AuditCheckpointView, checkpointPayload, toCheckpointView } from './audit-checkpoint.js';

export type AuditProblemKind =
  /** An entry's fields no longer give its hash: it was edited. */
  | 'entry_edited'
  /** Entries are missing: the seq jumps (deleted in the middle, or at the start). */
  | 'entry_missing'
  /** An entry's prevHash is not the hash of the entry before it (the one before was rewritten). */
  | 'broken_link'
  /** The chain ends before the head, or before a checkpoint: entries were cut off the end. */
  | 'truncated_end'
  /** Entries after a kept checkpoint are gone from the start of the chain. */
  | 'truncated_start'
  /** The head row does not match the last entry. */
  | 'head_mismatch'
  /** The chain was pruned but the checkpoint it starts from is missing. */
  | 'anchor_missing'
  /** A checkpoint's signature does not verify, or was made by an unknown key. */
  | 'checkpoint_signature'
  /** A checkpoint names a hash other than the entry's at its seq. */
  | 'checkpoint_mismatch';

export interface AuditProblem {
  kind: AuditProblemKind;
  seq: number;
  message: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Entries walked. */
  entries: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** Entries through this seq were pruned by retention (0: none). */
  prunedThrough: number;
  /** Checkpoints whose signature and hash were checked (stored ones and the kept one). */
  checkpoints: number;
  /** Problems in chain order; the first is the first broken or missing link. */
  problems: AuditProblem[];
}

/** A checkpoint kept outside the database, with the public key that signed it when the copy has it. */
export type KeptCheckpoint = AuditCheckpointView & { publicKey?: JWK };

export interface VerifyOptions {
  /** A checkpoint kept elsewhere (the strongest check), or the seq of a stored one to start from. */
  from?: KeptCheckpoint | { seq: number };
  /** The audit keys the database publishes, by kid. */
  publicJwk(kid: string): Promise<JWK | undefined>;
  batchSize?: number;
}

const MAX_PROBLEMS = 50;
const MAX_STORED_CHECKED = 10_000;

/**
 * Walks the chain from its start (or its pruning anchor) to its head, and checks every stored
 * checkpoint and the kept one against it. Only reads.
 */
export async function verifyAuditChain(audit: AuditRepository, options: VerifyOptions): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  const report = (kind: AuditProblemKind, seq: number, message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ kind, seq, message });
  };
  const head = await audit.head();
  // The newest stored checkpoints are checked (at most MAX_STORED_CHECKED); the anchor and a seq
  // asked for are looked up by seq, however old.
  const stored = (await audit.listCheckpoints(MAX_STORED_CHECKED)).map(toCheckpointView);

  // The kept checkpoint: the file's, or the stored one at the seq asked for.
  let kept: KeptCheckpoint | undefined;
  if (options.from && 'hash' in options.from) kept = options.from;
  else if (options.from) {
    const seq = options.from.seq;
    const found = await audit.findCheckpoint(seq);
    kept = found && toCheckpointView(found);
    if (!kept) report('checkpoint_mismatch', seq, `there is no checkpoint at seq ${seq} in the database`);
  }
  const toCheck: { checkpoint: KeptCheckpoint; label: string }[] = stored.map((checkpoint) => ({
    checkpoint,
    label: 'stored checkpoint',
  }));
  if (kept) toCheck.push({ checkpoint: kept, label: 'kept checkpoint' });
  let checkpoints = 0;
  for (const { checkpoint, label } of toCheck) {
    checkpoints += 1;
    const why = await signatureProblem(checkpoint, options.publicJwk);
    if (why) report('checkpoint_signature', checkpoint.seq, `${label} at seq ${checkpoint.seq}: ${why}`);
  }

  // Where the walk starts: the genesis, or the anchor the pruning left.
  let expectedSeq = 1;
  let expectedPrev = GENESIS_HASH;
  if (head.prunedThrough > 0) {
    const anchor = await audit.findCheckpoint(head.prunedThrough);
    if (anchor) expectedPrev = anchor.hash;
    else
      report('anchor_missing', head.prunedThrough, `pruned through seq ${head.prunedThrough}, but no checkpoint there`);
    expectedSeq = head.prunedThrough + 1;
  }
  if (kept && kept.seq < head.prunedThrough) {
    report(
      'truncated_start',
      kept.seq + 1,
      `the entries after the kept checkpoint (seq ${kept.seq}) through seq ${head.prunedThrough} are gone`,
    );
  }

  // Hashes at the checkpoints' seqs, collected on the way.
  const wanted = new Map<number, KeptCheckpoint[]>();
  for (const { checkpoint } of toCheck) wanted.set(checkpoint.seq, [...(wanted.get(checkpoint.seq) ?? []), checkpoint]);

  const batchSize = options.batchSize ?? 1000;
  let entries = 0;
  let firstSeq: number | null = null;
  let last: AuditEntryRecord | undefined;
  let from = head.prunedThrough + 1;
  for (;;) {
    const batch = await audit.range(from, batchSize);
    for (const entry of batch) {
      entries += 1;
      firstSeq ??= entry.seq;
      if (entry.seq !== expectedSeq) {
        report(
          'entry_missing',
          expectedSeq,
          entry.seq - expectedSeq === 1
            ? `entry ${expectedSeq} is missing`
            : `entries ${expectedSeq} to ${entry.seq - 1} are missing`,
        );
      } else if (entry.prevHash !== expectedPrev) {
        report('broken_link', entry.seq, `entry ${entry.seq} does not link to the entry before it`);
      }
      if (entryHash(entry) !== entry.hash) report('entry_edited', entry.seq, `entry ${entry.seq} was changed`);
      for (const checkpoint of wanted.get(entry.seq) ?? []) {
        if (checkpoint.hash !== entry.hash) {
          report('checkpoint_mismatch', entry.seq, `the checkpoint at seq ${entry.seq} names another hash`);
        }
      }
      // Go on from the entry as stored: one rewritten entry is one problem, not all that follow.
      expectedSeq = entry.seq + 1;
      expectedPrev = entry.hash;
      last = entry;
    }
    if (batch.length < batchSize) break;
    from = (batch[batch.length - 1]?.seq ?? from) + 1;
  }

  const lastSeq = last?.seq ?? head.prunedThrough;
  for (const { checkpoint, label } of toCheck) {
    if (checkpoint.seq > lastSeq) {
      report(
        'truncated_end',
        lastSeq + 1,
        `the chain ends at seq ${lastSeq}, before the ${label} at seq ${checkpoint.seq}`,
      );
    }
  }
  if (head.seq > lastSeq) {
    report('truncated_end', lastSeq + 1, `the chain ends at seq ${lastSeq}, the head says ${head.seq}`);
  } else if (head.seq < lastSeq || (last && head.hash !== last.hash)) {
    report('head_mismatch', lastSeq, `the head (seq ${head.seq}) does not match the last entry (seq ${lastSeq})`);
  }
  problems.sort((a, b) => a.seq - b.seq);
  return {
    ok: problems.length === 0,
    entries,
    firstSeq,
    lastSeq: last?.seq ?? null,
    prunedThrough: head.prunedThrough,
    checkpoints,
    problems,
  };
}

/** Why the checkpoint's signature does not hold, or undefined when it does. */
async function signatureProblem(
  checkpoint: KeptCheckpoint,
  publicJwk: (kid: string) => Promise<JWK | undefined>,
): Promise<string | undefined> {
  const published = await publicJwk(checkpoint.kid);
  // A kept copy's own key is what an attacker cannot change; the database's must then agree with it.
  if (checkpoint.publicKey && published && published.x !== checkpoint.publicKey.x) {
    return `the database's key ${checkpoint.kid} is not the key the kept copy names`;
  }
  const jwk = checkpoint.publicKey ?? published;
  if (!jwk) return `signed by key ${checkpoint.kid}, which the database does not have`;
  try {
    const key = await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA');
    const { payload, protectedHeader } = await compactVerify(checkpoint.signature, key, { algorithms: ['EdDSA'] });
    if (protectedHeader.kid !== checkpoint.kid) return 'the signature names another key';
    if (new TextDecoder().decode(payload) !== checkpointPayload(checkpoint)) {
      return 'the signature covers another seq, hash or time';
    }
    return undefined;
  } catch {
    return 'the signature does not verify';
  }
}
