import type { AccountService } from '../accounts/account-service.js';
import type { Actor } from '../auth/actor.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { TesseraError } from '../errors/tessera-error.js';
import { changeContextFor, type HistoryService } from '../history/history-service.js';
import { normalizePhoneNumber } from '../methods/sms/phone-number.js';
import { sealTotpKey } from '../methods/totp/totp.method.js';
import { DEFAULT_TOTP_PARAMS } from '../otp/index.js';
import type { FactorRecord } from '../storage/records.js';
import type { Storage } from '../storage/repositories.js';
import { importableKey } from './admin-service.js';

/** One account brought from another system: no password (it signs in elsewhere or not at all). */
export interface ImportedAccount {
  username: string;
  email?: string | undefined;
  phone?: string | undefined;
  externalId?: string | undefined;
  /** The base32 key of the authenticator the user already has (SHA1, 6 digits, 30 s). */
  totpSecret?: string | undefined;
}

export type ImportOutcome = { status: 'imported'; userId: string } | { status: 'exists' };

/**
 * Migration into Tessera, one account at a time: the account and its authenticator key are
 * written in one transaction with their history entries, so a bad key leaves no account behind,
 * and an account whose username already exists is left as it is ('exists'), which makes running
 * the same import twice change nothing. Nobody is notified: the users already had the
 * authenticator, and a migration of thousands must not mail them all.
 */
export class AccountImportService {
  constructor(
    private readonly deps: {
      storage: Storage;
      accounts: Pick<AccountService, 'newUserRecord'>;
      history: Pick<HistoryService, 'record'>;
      authorizer: Authorizer;
      secretBox: SecretBox;
      clock: Clock;
    },
  ) {}

  async importAccount(actor: Actor, input: ImportedAccount): Promise<ImportOutcome> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const { storage, history } = this.deps;
    if (await storage.users.findByUsername(input.username)) return { status: 'exists' };
    const user = await this.deps.accounts.newUserRecord({
      username: input.username,
      email: input.email,
      phone: input.phone === undefined ? undefined : normalizePhoneNumber(input.phone),
      externalId: input.externalId,
    });
    const key = input.totpSecret === undefined ? undefined : importableKey(input.totpSecret);
    const factor = key === undefined ? undefined : this.totpFactor(user.id, key);
    key?.fill(0);
    const context = changeContextFor(actor, user.id);
    const outcome = await storage.transaction(async (tx) => {
      const created = await tx.users.create(user);
      // Another import (or an admin) made the same username in the meantime: as if it existed.
      if (created === 'username_taken') return 'exists' as const;
      if (created === 'email_taken') throw new TesseraError('EMAIL_TAKEN');
      if (created === 'external_id_taken') throw new TesseraError('EXTERNAL_ID_TAKEN');
      const entry = { userId: user.id, method: 'account', action: 'create' as const, enabled: true };
      await history.record({ ...entry, details: { passwordSet: false, imported: true } }, context, tx);
      if (factor) {
        await tx.factors.insertActive(factor);
        await history.record({ userId: user.id, method: 'totp', action: 'import', enabled: true }, context, tx);
      }
      return 'imported' as const;
    });
    return outcome === 'exists' ? { status: 'exists' } : { status: 'imported', userId: user.id };
  }

  private totpFactor(userId: string, key: Uint8Array): FactorRecord {
    const id = newId();
    const now = this.deps.clock.now();
    return {
      id,
      userId,
      kind: 'totp',
      status: 'active',
      details: { sealedSecret: sealTotpKey(this.deps.secretBox, id, key), ...DEFAULT_TOTP_PARAMS, lastUsedStep: null },
      createdAt: now,
      expiresAt: null,
      activatedAt: now,
    };
  }
}
