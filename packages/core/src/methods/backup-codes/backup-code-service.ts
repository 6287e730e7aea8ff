import type { Clock } from '../../clock.js';
import type { KeyedHasher } from '../../crypto/keyed-hash.js';
import { newNumericCode } from '../../crypto/numeric-code.js';
import { newId } from '../../crypto/random.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { BackupCodeRecord, FactorOf } from '../../storage/records.js';
import type { BackupCodeRepository, FactorRepository } from '../../storage/repositories.js';

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
    },
  ) {}

  /** Creates a new set, replacing any old one whole. */
  async generate(userId: string): Promise<BackupCodeSet> {
    const { codes, factors, clock, policy } = this.deps;
    const now = clock.now();
    const plain = uniqueCodes(policy.count, policy.digits);
    const records: BackupCodeRecord[] = plain.map((code) => ({
      id: newId(),
      userId,
      codeHash: this.hash(userId, code),
      createdAt: now,
      usedAt: null,
    }));
    await codes.replaceSet(userId, records);
    if (!(await factors.findActive(userId, 'backup_codes'))) {
      const marker: FactorOf<'backup_codes'> = {
        id: newId(),
        userId,
        kind: 'backup_codes',
        status: 'active',
        details: { count: policy.count, digits: policy.digits },
        createdAt: now,
        expiresAt: null,
        activatedAt: now,
      };
      // A concurrent generate may have added the marker first; one marker is all we need.
      await factors.insertActive(marker);
    }
    return { codes: plain, remaining: plain.length, createdAt: now.toISOString() };
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

  /** Uses a code: one conditional UPDATE, so it counts at most once. */
  async use(userId: string, code: string): Promise<BackupCodeUse> {
    const { codes, clock } = this.deps;
    if (!(await codes.consume(userId, this.hash(userId, compactCode(code)), clock.now()))) return { ok: false };
    return { ok: true, remaining: await codes.countRemaining(userId) };
  }

  async remaining(userId: string): Promise<number> {
    return this.deps.codes.countRemaining(userId);
  }

  /** Bound to the user, so one leaked hash list cannot be matched across accounts. */
  private hash(userId: string, code: string): string {
    return this.deps.hasher.hash(`backup:${userId}:${code}`);
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
