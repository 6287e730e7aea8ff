import {
  type AuditCheckpointView,
  type AuditProblemKind,
  checkpointPayload,
  entryHash,
  type KeptCheckpoint,
  type AuditSecurityEvent as SecurityEvent,
  SYSTEM_ACTOR,
  SYSTEM_AUDIT_CONTEXT,
  verifyAuditChain,
} from '@tessera/core';
import { openStorage } from '@tessera/storage-kysely';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CoreUnderTest, coreUnderTest } from '../../packages/core/src/test-support/core-under-test.js';

let t: CoreUnderTest;

beforeEach(async () => {
  t = await coreUnderTest();
});

afterEach(async () => {
  await t.close();
});

const event = (n: number): SecurityEvent => ({
  action: 'sessions.revoked',
  userId: `user-${n}`,
  details: { count: n },
});

/** Appends `count` entries, a second apart. */
async function append(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await t.core.audit.record(event(i), { actorKind: 'user', actorId: `admin-${i}`, clientIp: '192.0.2.1' });
    t.clock.advanceSeconds(1);
  }
}

/** The checkpoint of the head now, as an operator keeps it: with the public key that signed it. */
async function keptCheckpoint(): Promise<KeptCheckpoint> {
  const made = await t.core.audit.checkpointNow(SYSTEM_ACTOR);
  if (!made) throw new Error('no checkpoint was made');
  const publicKey = await t.core.audit.publicJwk(made.kid);
  if (!publicKey) throw new Error('the checkpoint key is not published');
  return { ...made, publicKey };
}

async function verify(from?: KeptCheckpoint | { seq: number }) {
  return verifyAuditChain(t.storage.audit, {
    publicJwk: (kid) => t.core.audit.publicJwk(kid),
    batchSize: 7,
    ...(from ? { from } : {}),
  });
}

function kinds(problems: { kind: AuditProblemKind; seq: number }[]): string[] {
  return problems.map((problem) => `${problem.kind}@${problem.seq}`);
}

describe('the audit chain', () => {
  it('numbers entries 1, 2, 3… each linking to the one before, and verifies', async () => {
    await append(20);
    const rows = await t.storage.audit.range(1, 100);
    expect(rows.map((row) => row.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(rows[0]?.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < rows.length; i += 1) expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);
    const kept = await keptCheckpoint();
    expect(kept.seq).toBe(20);
    const report = await verify(kept);
    expect(report).toMatchObject({ ok: true, entries: 20, firstSeq: 1, lastSeq: 20, problems: [] });
    expect(report.checkpoints).toBe(2);
  });

  it('finds an edited entry', async () => {
    await append(12);
    await sql`update audit_entries set details = ${'{"count":99}'} where seq = 5`.execute(t.storage.db);
    expect(kinds((await verify()).problems)).toEqual(['entry_edited@5']);
  });

  it('finds an entry rewritten with a hash of its own: the next one no longer links to it', async () => {
    await append(12);
    const [entry] = await t.storage.audit.range(5, 1);
    if (!entry) throw new Error('no entry 5');
    const forged = { ...entry, clientIp: '203.0.113.9' };
    await sql`update audit_entries set client_ip = ${forged.clientIp}, hash = ${entryHash(forged)} where seq = 5`.execute(
      t.storage.db,
    );
    expect(kinds((await verify()).problems)).toEqual(['broken_link@6']);
  });

  it('finds entries deleted in the middle', async () => {
    await append(12);
    await sql`delete from audit_entries where seq in (6, 7)`.execute(t.storage.db);
    const report = await verify();
    expect(kinds(report.problems)).toEqual(['entry_missing@6']);
    expect(report.problems[0]?.message).toBe('entries 6 to 7 are missing');
  });

  it('finds entries deleted at the start', async () => {
    await append(12);
    await sql`delete from audit_entries where seq <= 3`.execute(t.storage.db);
    expect(kinds((await verify()).problems)).toEqual(['entry_missing@1']);
  });

  it('finds entries cut off the end, even when the head and the stored checkpoints were rolled back too', async () => {
    await append(10);
    const kept = await keptCheckpoint();
    await append(2);
    // The head alone still tells.
    await sql`delete from audit_entries where seq > 8`.execute(t.storage.db);
    expect(kinds((await verify()).problems)).toContain('truncated_end@9');
    // A careful attacker moves the head back and drops the checkpoints: the kept copy tells.
    const [eighth] = await t.storage.audit.range(8, 1);
    await sql`update audit_head set seq = 8, hash = ${eighth?.hash ?? ''}`.execute(t.storage.db);
    await sql`delete from audit_checkpoints`.execute(t.storage.db);
    expect((await verify()).ok).toBe(true);
    const report = await verify(kept);
    expect(kinds(report.problems)).toEqual(['truncated_end@9']);
  });

  it('finds entries cut off the start and passed off as retention pruning, against a kept checkpoint', async () => {
    await append(5);
    const kept = await keptCheckpoint();
    await append(5);
    const later = await keptCheckpoint();
    await append(2);
    // Everything through the later checkpoint deleted and the head marked as pruned to it: the
    // database alone cannot tell that from retention at work.
    await sql`delete from audit_entries where seq <= ${later.seq}`.execute(t.storage.db);
    await sql`update audit_head set pruned_through = ${later.seq}`.execute(t.storage.db);
    expect((await verify()).ok).toBe(true);
    expect(kinds((await verify(kept)).problems)).toEqual(['truncated_start@6']);
  });

  it('finds a checkpoint signed by another key, and a database key swapped for the attacker’s', async () => {
    await append(4);
    const kept = await keptCheckpoint();
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const forged: AuditCheckpointView = {
      ...kept,
      signature: await new CompactSign(new TextEncoder().encode(checkpointPayload(kept)))
        .setProtectedHeader({ alg: 'EdDSA', kid: kept.kid })
        .sign(privateKey),
    };
    expect(kinds((await verify({ ...forged, publicKey: kept.publicKey as never })).problems)).toEqual([
      'checkpoint_signature@4',
    ]);
    // The attacker's key in the database makes its own forgery verify there, not against the copy.
    const attackerJwk = await exportJWK(publicKey);
    const report = await verifyAuditChain(t.storage.audit, {
      publicJwk: async () => ({ ...attackerJwk, kid: kept.kid }),
      from: kept,
    });
    expect(kinds(report.problems)).toContain('checkpoint_signature@4');
  });

  it('finds a checkpoint whose hash is not the entry’s', async () => {
    await append(4);
    const kept = await keptCheckpoint();
    await append(1);
    await sql`update audit_entries set details = ${'{"count":7}'} where seq = 4`.execute(t.storage.db);
    const problems = kinds((await verify(kept)).problems);
    expect(problems).toContain('entry_edited@4');
    const recomputed = await t.storage.audit.range(4, 1);
    const entry = recomputed[0];
    if (!entry) throw new Error('no entry 4');
    await sql`update audit_entries set hash = ${entryHash(entry)} where seq = 4`.execute(t.storage.db);
    expect(kinds((await verify(kept)).problems)).toEqual(
      expect.arrayContaining(['checkpoint_mismatch@4', 'broken_link@5']),
    );
  });

  it('prunes only up to a checkpoint older than the retention, and still verifies from it', async () => {
    await t.close();
    t = await coreUnderTest({ audit: { checkpointSeconds: 3600, retentionDays: 30 } });
    await append(6);
    const old = await keptCheckpoint();
    t.clock.advanceSeconds(40 * 86_400);
    await append(3);
    // Many checkpoints since, more than one page of them: the old one is still found.
    for (let i = 0; i < 205; i += 1) {
      await append(1);
      await keptCheckpoint();
    }
    expect(await t.core.audit.prune()).toEqual({ throughSeq: old.seq, removed: old.seq });
    expect((await t.storage.audit.head()).prunedThrough).toBe(6);
    expect(await verify()).toMatchObject({ ok: true, firstSeq: 7, prunedThrough: 6 });
    // The pruning is itself an entry.
    const [latest] = (await t.core.audit.list(SYSTEM_ACTOR, { limit: 1 })).items;
    expect(latest).toMatchObject({ action: 'audit.pruned', details: { throughSeq: 6, removed: 6 } });
    // The checkpoint kept before the pruning is the anchor itself: it still verifies the rest.
    expect(kinds((await verify(old)).problems)).toEqual([]);
    // Nothing newer than the retention goes, even with a checkpoint to prune to.
    await keptCheckpoint();
    expect(await t.core.audit.prune()).toBeUndefined();
  });

  it('appends concurrently from several connections into one gapless chain', async () => {
    const peers =
      t.storage.dialect === 'postgres'
        ? [
            t.storage,
            await openStorage({
              ...(t.storage.location as { databaseUrl: string; searchPath: string }),
              dataDir: '',
            }),
          ]
        : [t.storage];
    try {
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          t.core.audit.record(event(i), SYSTEM_AUDIT_CONTEXT, peers[i % peers.length]?.audit),
        ),
      );
    } finally {
      if (peers[1]) await peers[1].close();
    }
    const report = await verify();
    expect(report).toMatchObject({ ok: true, entries: 40, lastSeq: 40 });
  });
});
