import { TesseraError } from '../../errors/tessera-error.js';
import { proofCode, type SecondFactorMethod } from '../second-factor-method.js';
import type { BackupCodeService } from './backup-code-service.js';

/** Printed single-use codes for when the phone is lost. Active as soon as they are shown. */
export function backupCodesMethod(deps: { backupCodes: BackupCodeService }): SecondFactorMethod<'backup_codes'> {
  const { backupCodes } = deps;
  return {
    kind: 'backup_codes',
    channel: null,
    quietBegin: false,

    async begin({ user }) {
      return { activation: 'immediate', backupCodes: await backupCodes.generate(user.id) };
    },

    assertWellFormed(_factor, proof) {
      const code = proofCode(proof, backupCodes.digits);
      if (code === undefined) throw new TesseraError('CODE_MALFORMED');
      backupCodes.assertWellFormed(code);
    },

    async verify(factor, proof) {
      const use = await backupCodes.use(factor.userId, proofCode(proof, backupCodes.digits) ?? '');
      if (!use.ok) return { ok: false, reason: 'wrong_code' };
      return {
        ok: true,
        backupCodesRemaining: use.remaining,
        ...(use.remaining === 0 ? { notice: { type: 'last_backup_code_used' } as const } : {}),
      };
    },

    describe(factor) {
      return { count: factor.details.count, digits: factor.details.digits };
    },

    async onRemove(factor, repositories) {
      await repositories.backupCodes.deleteAll(factor.userId);
    },
  };
}
