import { readFile } from 'node:fs/promises';
import {
  type AuditProblem,
  type AuditQuery,
  type AuditVerification,
  type KeptCheckpoint,
  SECURITY_EVENT_ACTIONS,
  type SecurityEventAction,
} from '@tessera/core';
import { defineCommand, UsageError, wholeNumber } from '../command.js';
import { cell, table } from '../output.js';
import { parseInstant } from './history.command.js';
import { OPERATOR } from './lookup.js';

/** The CLI's exit code for a refusal (main.ts EXIT.failed): here, the chain was changed. */
const TAMPERING_FOUND = 1;

export const auditList = defineCommand({
  name: 'audit list',
  summary: 'the audit trail of security events, newest first, with filters',
  synopsis: '[--actor ID] [--user ID] [--action A] [--since WHEN] [--until WHEN] [--limit N] [--before SEQ]',
  details:
    'WHEN is a date or time (2026-12-01, 2026-12-01T10:00:00Z) or an age counted back from now (30m, 24h, 7d). ' +
    'A page ends with the SEQ to pass as --before for the next one.',
  flags: {
    actor: { type: 'string', value: 'ID', description: 'only what this account did (its id)' },
    user: { type: 'string', value: 'ID', description: 'only events about this account (its id)' },
    action: { type: 'string', value: 'A', description: `only this action (${SECURITY_EVENT_ACTIONS.join(', ')})` },
    since: { type: 'string', value: 'WHEN', description: 'entries at or after WHEN' },
    until: { type: 'string', value: 'WHEN', description: 'entries before WHEN' },
    limit: { type: 'string', value: 'N', description: 'at most N entries (1-200, default 50)' },
    before: { type: 'string', value: 'SEQ', description: 'entries older than SEQ (the next page)' },
  },
  async run({ withRuntime }, flags) {
    const now = new Date();
    const query: AuditQuery = { limit: wholeNumber(flags.limit, 'limit', 50, 1, 200) };
    if (flags.before !== undefined) query.before = wholeNumber(flags.before, 'before', 0, 1, Number.MAX_SAFE_INTEGER);
    if (flags.actor !== undefined) query.actorId = flags.actor;
    if (flags.user !== undefined) query.targetUserId = flags.user;
    if (flags.action !== undefined) {
      if (!(SECURITY_EVENT_ACTIONS as readonly string[]).includes(flags.action)) {
        throw new UsageError(`--action is one of ${SECURITY_EVENT_ACTIONS.join(', ')}`);
      }
      query.action = flags.action as SecurityEventAction;
    }
    if (flags.since !== undefined) query.since = parseInstant(flags.since, 'since', now);
    if (flags.until !== undefined) query.until = parseInstant(flags.until, 'until', now);
    return withRuntime(async ({ core }) => {
      const page = await core.audit.list(OPERATOR, query);
      const rows = page.items.map((entry) => [
        String(entry.seq),
        entry.createdAt,
        entry.action,
        cell(entry.targetUserId),
        entry.actorId === null ? entry.actorKind : entry.actorId,
        cell(entry.clientIp),
        JSON.stringify(entry.details),
      ]);
      const more = page.next === null ? 'the last page' : `next page: --before ${page.next}`;
      const text = [table(['SEQ', 'TIME', 'ACTION', 'ACCOUNT', 'BY', 'FROM', 'DETAILS'], rows), more].join('\n');
      return { data: page, text };
    });
  },
});

export const auditCheckpoint = defineCommand({
  name: 'audit checkpoint',
  summary: 'signs the audit chain head now and prints the checkpoint to keep elsewhere',
  details:
    'The JSON (with --json) holds the checkpoint and the public key that signed it: store it outside this server ' +
    'and check it later with `tessera audit verify --from FILE`.',
  flags: {},
  async run({ withRuntime }) {
    return withRuntime(async ({ core }) => {
      const checkpoint = await core.audit.checkpointNow(OPERATOR);
      if (!checkpoint) return { data: null, text: 'the audit trail is empty: nothing to sign yet' };
      const publicKey = await core.audit.publicJwk(checkpoint.kid);
      const kept = { ...checkpoint, publicKey };
      return { data: kept, text: JSON.stringify(kept, null, 2) };
    });
  },
});

export const auditVerify = defineCommand({
  name: 'audit verify',
  summary: 'walks the audit chain and checks its signed checkpoints; exit 1 when anything was changed',
  synopsis: '[--from FILE|SEQ]',
  details:
    'Reports the first broken or missing link, and any checkpoint whose signature or hash does not match. ' +
    '--from FILE takes a checkpoint kept elsewhere (the output of `tessera audit checkpoint --json`, or the answer ' +
    'of GET /api/v1/audit/checkpoints, whose newest checkpoint is used): entries cut off either end since it are ' +
    'found too. --from SEQ starts from the stored checkpoint at SEQ.',
  flags: {
    from: {
      type: 'string',
      value: 'FILE|SEQ',
      description: 'a kept checkpoint (JSON file), or a stored checkpoint seq',
    },
  },
  async run({ withRuntime }, flags) {
    const from = flags.from === undefined ? undefined : await keptCheckpointFrom(flags.from);
    return withRuntime(async ({ core }) => {
      const report = await core.audit.verify(OPERATOR, from);
      return { data: report, text: describe(report), ...(report.ok ? {} : { exitCode: TAMPERING_FOUND }) };
    });
  },
});

function describe(report: AuditVerification): string {
  const range =
    report.firstSeq === null ? 'no entries' : `entries ${report.firstSeq} to ${report.lastSeq} (${report.entries})`;
  const anchor = report.prunedThrough > 0 ? `, pruned through ${report.prunedThrough}` : '';
  const summary = `${range}${anchor}, ${report.checkpoints} checkpoint(s)`;
  if (report.ok) return `ok: ${summary}`;
  const lines = report.problems.map(
    (problem: AuditProblem) => `  ${problem.kind} at seq ${problem.seq}: ${problem.message}`,
  );
  return [`TAMPERED: ${summary}`, ...lines].join('\n');
}

/** `--from`: a seq, or a file with a checkpoint (or the published document with its keys). */
async function keptCheckpointFrom(value: string): Promise<KeptCheckpoint | { seq: number }> {
  if (/^\d+$/.test(value)) return { seq: wholeNumber(value, 'from', 0, 1, Number.MAX_SAFE_INTEGER) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(value, 'utf8'));
  } catch (error) {
    throw new UsageError(`--from: cannot read a checkpoint from ${value}: ${(error as Error).message}`);
  }
  const kept = checkpointIn(parsed);
  if (!kept) throw new UsageError(`--from: ${value} holds no checkpoint (seq, hash, createdAt, kid, signature)`);
  return kept;
}

function checkpointIn(value: unknown): KeptCheckpoint | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.checkpoints)) {
    const [newest] = record.checkpoints as unknown[];
    const found = checkpointIn(newest);
    if (!found) return undefined;
    const keys = Array.isArray(record.keys) ? (record.keys as Record<string, unknown>[]) : [];
    const publicKey = keys.find((key) => key.kid === found.kid);
    return publicKey ? { ...found, publicKey } : found;
  }
  const { seq, hash, createdAt, kid, signature, publicKey } = record;
  if (
    typeof seq !== 'number' ||
    !Number.isSafeInteger(seq) ||
    typeof hash !== 'string' ||
    typeof createdAt !== 'string' ||
    typeof kid !== 'string' ||
    typeof signature !== 'string'
  ) {
    return undefined;
  }
  const checkpoint: KeptCheckpoint = { seq, hash, createdAt, kid, signature };
  if (typeof publicKey === 'object' && publicKey !== null)
    checkpoint.publicKey = publicKey as KeptCheckpoint['publicKey'];
  return checkpoint;
}
