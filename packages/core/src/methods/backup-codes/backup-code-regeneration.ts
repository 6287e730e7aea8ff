import { TesseraError } from '../../errors/tessera-error.js';
import type { FactorChanges } from '../../factors/factor-changes.js';
import type { ChangeContext } from '../../history/history-service.js';
import type { FactorRepository } from '../../storage/repositories.js';
import type { SuccessTokenService } from '../../success-tokens/success-token-service.js';
import type { BackupCodeService, BackupCodeSet } from './backup-code-service.js';

/**
 * Replacing an active backup-code set is sensitive (whoever holds the new set can pass the
 * second factor), so it takes a success token for `regenerate_backup_codes`.
 */
export class BackupCodeRegeneration {
  constructor(
    private readonly deps: {
      backupCodes: BackupCodeService;
      factors: FactorRepository;
      successTokens: SuccessTokenService;
      changes: FactorChanges;
    },
  ) {}

  async regenerate(userId: string, successToken: string, context: ChangeContext): Promise<BackupCodeSet> {
    if (!(await this.deps.factors.findActive(userId, 'backup_codes')))
      throw new TesseraError('BACKUP_CODES_NOT_ACTIVE');
    await this.deps.successTokens.consumeFor(userId, successToken, 'regenerate_backup_codes', null);
    const set = await this.deps.backupCodes.generate(userId);
    await this.deps.changes.record(userId, 'backup_codes', 'regenerate', true, context);
    return set;
  }

  async status(userId: string): Promise<{ active: boolean; remaining: number }> {
    const active = (await this.deps.factors.findActive(userId, 'backup_codes')) !== undefined;
    return { active, remaining: active ? await this.deps.backupCodes.remaining(userId) : 0 };
  }
}
