import type { Actor } from '../../auth/actor.js';
import type { Authorizer } from '../../auth/authorizer.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { FactorChanges } from '../../factors/factor-changes.js';
import { changeContextFor } from '../../history/history-service.js';
import type { FactorRepository } from '../../storage/repositories.js';
import type { SuccessTokenService } from '../../success-tokens/success-token-service.js';
import type { BackupCodeService, BackupCodeSet } from './backup-code-service.js';

/**
 * A user's backup-code set after it was enabled. Replacing it is sensitive (whoever holds the new
 * set can pass the second factor), so it takes a success token for `regenerate_backup_codes`.
 */
export class BackupCodeSets {
  constructor(
    private readonly deps: {
      backupCodes: BackupCodeService;
      factors: FactorRepository;
      successTokens: SuccessTokenService;
      changes: FactorChanges;
      authorizer: Authorizer;
    },
  ) {}

  async regenerate(actor: Actor, successToken: string): Promise<BackupCodeSet> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    if (!(await this.deps.factors.findActive(userId, 'backup_codes'))) {
      throw new TesseraError('BACKUP_CODES_NOT_ACTIVE');
    }
    await this.deps.successTokens.consumeFor(userId, successToken, 'regenerate_backup_codes', null);
    const set = await this.deps.backupCodes.generate(userId);
    await this.deps.changes.record(userId, 'backup_codes', 'regenerate', true, changeContextFor(actor, userId));
    return set;
  }

  async status(actor: Actor): Promise<{ active: boolean; remaining: number }> {
    const userId = await this.deps.authorizer.own(actor, 'own.read_status');
    const active = (await this.deps.factors.findActive(userId, 'backup_codes')) !== undefined;
    return { active, remaining: active ? await this.deps.backupCodes.remaining(userId) : 0 };
  }
}
