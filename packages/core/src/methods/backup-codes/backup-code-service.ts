import type { Clock } from '../../clock.js';
import { findByKeyedHash, type KeyedHasher } from '../../crypto/keyed-hash.js';
import { newNumericCode } from '../../crypto/numeric-code.js';
import { newId } from '../../crypto/random.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { BackupCodeRecord, FactorOf } from '../../storage/records.js';
import type { BackupCodeRepository, FactorRepository, UnitOfWork } from '../../storage/repositories.js';
import type { WebhookOutbox } from '../../webhooks/webhook-outbox.js';

export interface BackupCodePolicy {
  count: number;
  digits: number;
}

export const DEFAULT_BACKUP_CODE_POLICY: BackupCodePolicy = { count: 10, digits: 8 };

export interface BackupCodeSet {
  /** Shown once; only keyed hashes are kept. */
  codes: string[];
  remaining: number;
  createdAt: string;
}

export type BackupCodeUse = { ok: true; remaining: number } | { ok: false };

/** Codes left at or under which a use is reported as `backup_codes.low`. */
export const BACKUP_CODES_LOW_THRESHOLD = 3;

/**
 * Backup codes: a set of single-use codes, stored as keyed hashes. The set is marked by an
 * active `backup_codes` factor so that "which methods does this account have" stays one query.
 */
export class BackupCodeService {
  constructor(
    private readonly deps: {
      codes: BackupCodeRepository;
      factors: FactorRepository;
      hasher: KeyedHasher;
      clock: Clock;
      policy: BackupCodePolicy;
      storage: UnitOfWork;
      outbox: WebhookOutbox;
    },
  ) {}

  /** Creates a new set, replacing any old one whole. */
  async generate(userId: string): Promise<BackupCodeSet> {
    const prepared = this.prepare(userId);
    await this.install(userId, prepared.hashes, { backupCodes: this.deps.codes, factors: this.deps.factors });
    return prepared.set;
  }

  /**
   * A new set, not yet stored: the codes to show once, and the keyed hashes to install when the
   * set should take effect (with an authenticator's confirmation, for Mudbase's setup).
   */
  prepare(userId: string): { set: BackupCodeSet; hashes: string[] } {
    const { clock, policy } = this.deps;
    const plain = uniqueCodes(policy.count, policy.digits);
    return {
      set: { codes: plain, remaining: plain.length, createdAt: clock.now().toISOString() },
      hashes: plain.map((code) => this.hash(userId, code)),
    };
  }

  /**
   * Makes a prepared set the user's, replacing any old one whole, with the marker factor if there
   * was none; through the given repositories, so it can be part of a unit of work. True when the
   * method was turned on by this (there was no set before).
   */
  async install(
    userId: string,
    hashes: readonly string[],
    repositories: { backupCodes: BackupCodeRepository; factors: FactorRepository },
  ): Promise<boolean> {
    const { clock, policy } = this.deps;
    const now = clock.now();
    const records: BackupCodeRecord[] = hashes.map((codeHash) => ({
      id: newId(),
      userId,
      codeHash,
      createdAt: now,
      usedAt: null,
    }));
    await repositories.backupCodes.replaceSet(userId, records);
    if (await repositories.factors.findActive(userId, 'backup_codes')) return false;
    const marker: FactorOf<'backup_codes'> = {
      id: newId(),
      userId,
      kind: 'backup_codes',
      status: 'active',
      details: { count: hashes.length, digits: policy.digits },
      createdAt: now,
      expiresAt: null,
      activatedAt: now,
    };
    // A concurrent install may have added the marker first; one marker is all we need.
    return (await repositories.factors.insertActive(marker)) === 'inserted';
  }

  /** Digits per code of a new set. */
  get digits(): number {
    return this.deps.policy.digits;
  }

  assertWellFormed(code: string): void {
    const { digits } = this.deps.policy;
    const compact = compactCode(code);
    if (!/^\d+$/.test(compact) || compact.length !== digits) {
      throw new TesseraError('CODE_MALFORMED', { message: `A backup code is exactly ${digits} digits.` });
    }
  }

  /**
   * Uses a code: one conditional UPDATE, so it counts at most once. A use that leaves few codes
   * writes the `backup_codes.low` webhook event in the same transaction.
   */
  async use(userId: string, code: string): Promise<BackupCodeUse> {
    const { clock, storage, outbox } = this.deps;
    const now = clock.now();
    return storage.transaction(async (tx) => {
      // A code hashed under a previous secret key is tried only after a miss under the current
      // one; each try is the one conditional UPDATE, so a code still counts at most once.
      const used = await findByKeyedHash(this.deps.hasher, backupInput(userId, compactCode(code)), (hash) =>
        tx.backupCodes.consume(userId, hash, now),
      );
      if (!used) return { ok: false };
      const remaining = await tx.backupCodes.countRemaining(userId);
      if (remaining <= BACKUP_CODES_LOW_THRESHOLD)
        await outbox.enqueue(tx, { type: 'backup_codes.low', userId, data: { remaining } });
      return { ok: true, remaining };
    });
  }

  async remaining(userId: string): Promise<number> {
    return this.deps.codes.countRemaining(userId);
  }

  /** Bound to the user, so one leaked hash list cannot be matched across accounts. */
  private hash(userId: string, code: string): string {
    return this.deps.hasher.hash(backupInput(userId, code));
  }
}

/** People copy codes with the grouping dash or spaces some UIs show: 1234-5678. */
function compactCode(code: string): string {
  return code.replace(/[\s-]/g, '');
}

function uniqueCodes(count: number, digits: number): string[] {
  const codes = new Set<string>();
  while (codes.size < count) codes.add(newNumericCode(digits));
  return [...codes];
}

function backupInput(userId: string, code: string): string {
  return `backup:${userId}:${code}`;
}
