import type { AuditEntryRecord, AuditHead } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { at } from '../record-factories.js';
import type { ContractContext } from './context.js';

/** An entry following `head` (the hash is the storage's to keep, not to check). */
function next(head: AuditHead, overrides: Partial<AuditEntryRecord> = {}): AuditEntryRecord {
  return {
    seq: head.seq + 1,
    prevHash: head.hash,
    hash: `hash-${head.seq + 1}`,
    createdAt: at(1000 * (head.seq + 1)),
    actorKind: 'user',
    actorId: 'admin-1',
    action: 'sessions.revoked',
    targetUserId: 'user-1',
    clientIp: '192.0.2.1',
    details: '{"count":1}',
    ...overrides,
  };
}

/** The audit chain's storage. */
export function describeAuditContract(ctx: ContractContext): void {
  describe('audit', () => {
    it('starts with an empty head and appends after it, moving the head', async () => {
      const audit = ctx.storage.audit;
      expect(await audit.head()).toEqual({ seq: 0, hash: '0'.repeat(64), prunedThrough: 0 });
      const first = await audit.append((head) => next(head));
      const second = await audit.append((head) => next(head));
      expect([first.seq, second.seq]).toEqual([1, 2]);
      expect(second.prevHash).toBe('hash-1');
      expect(await audit.head()).toEqual({ seq: 2, hash: 'hash-2', prunedThrough: 0 });
      expect(await audit.range(2, 10)).toEqual([second]);
    });

    it('refuses an entry that does not follow the head, writing nothing', async () => {
      const audit = ctx.storage.audit;
      await expect(audit.append((head) => ({ ...next(head), seq: 5 }))).rejects.toThrow(/follow the head/);
      expect(await audit.head()).toMatchObject({ seq: 0 });
      expect(await audit.range(1, 10)).toEqual([]);
    });

    it('rolls back with the unit of work it is appended in', async () => {
      await expect(
        ctx.storage.transaction(async (tx) => {
          await tx.audit.append((head) => next(head));
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(await ctx.storage.audit.head()).toMatchObject({ seq: 0 });
      expect(await ctx.storage.audit.range(1, 10)).toEqual([]);
    });

    it('lists newest first with filters and keyset paging', async () => {
      const audit = ctx.storage.audit;
      for (let i = 0; i < 6; i += 1) {
        await audit.append((head) =>
          next(head, {
            targetUserId: i % 2 === 0 ? 'even' : 'odd',
            actorId: i < 3 ? 'early' : 'late',
            action: i === 5 ? 'lockout.started' : 'sessions.revoked',
          }),
        );
      }
      const seqs = (rows: AuditEntryRecord[]) => rows.map((row) => row.seq);
      expect(seqs(await audit.list({}, 10))).toEqual([6, 5, 4, 3, 2, 1]);
      expect(seqs(await audit.list({}, 2, 5))).toEqual([4, 3]);
      expect(seqs(await audit.list({ targetUserId: 'even' }, 10))).toEqual([5, 3, 1]);
      expect(seqs(await audit.list({ actorId: 'late', targetUserId: 'odd' }, 10))).toEqual([6, 4]);
      expect(seqs(await audit.list({ action: 'lockout.started' }, 10))).toEqual([6]);
      expect(seqs(await audit.list({ since: at(2000), until: at(4000) }, 10))).toEqual([3, 2]);
    });

    it('keeps one checkpoint per seq and prunes only to one', async () => {
      const audit = ctx.storage.audit;
      for (let i = 0; i < 4; i += 1) await audit.append((head) => next(head));
      const checkpoint = { seq: 3, hash: 'hash-3', createdAt: at(5000), kid: 'k1', signature: 'jws' };
      expect(await audit.insertCheckpoint(checkpoint)).toBe(true);
      expect(await audit.insertCheckpoint({ ...checkpoint, signature: 'other' })).toBe(false);
      expect(await audit.findCheckpoint(3)).toEqual(checkpoint);
      expect(await audit.listCheckpoints(10)).toEqual([checkpoint]);
      expect(await audit.latestCheckpointAtOrBefore(at(5000))).toEqual(checkpoint);
      expect(await audit.latestCheckpointAtOrBefore(at(4999))).toBeUndefined();
      await expect(audit.prune(2)).rejects.toThrow(/no audit checkpoint/);
      expect(await audit.prune(3)).toBe(3);
      expect(await audit.head()).toEqual({ seq: 4, hash: 'hash-4', prunedThrough: 3 });
      expect((await audit.range(1, 10)).map((row) => row.seq)).toEqual([4]);
      // The anchor never moves back.
      expect(await audit.prune(3)).toBe(0);
    });
  });
}
