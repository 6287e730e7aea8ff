import { SYSTEM_AUDIT_CONTEXT } from '../audit/audit-context.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { AUDIT_SIGNING_KEYS } from '../audit/audit-trail.js';
import type { Clock } from '../clock.js';
import { resealKeyCheck } from '../crypto/key-check.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { SealOpenError, sealedKeyId } from '../crypto/secret-box.js';
import { destinationSealContext } from '../destination-verification/destination-verifications.js';
import { contactChangeSealContext } from '../flows/contact-change/contact-change.flow.js';
import { contactChangeMachine } from '../flows/contact-change/contact-change.machine.js';
import type { Logger } from '../logger.js';
import { smsPhoneSealContext } from '../methods/sms/sms.method.js';
import { totpSealContext } from '../methods/totp/totp.method.js';
import { resealSigningKeys, SIGNING_KEYS_SETTING, sealedSigningKeys } from '../sessions/signing-keys.js';
import type { HashedTable, KeyCount, SealedColumn, Storage } from '../storage/repositories.js';
import { phoneContext } from '../storage/sealed-phones.js';
import { webhookSecretSealContext } from '../webhooks/webhook-secret.js';
import { contactChangeSealedValue, KEY_CHECK_SETTING, type SealedKind, sealedCensus } from './key-census.js';

/** What each sealed column's values are bound to (the context they were sealed with). */
const SEALED_COLUMN_CONTEXTS: Record<SealedColumn, (id: string) => string> = {
  totp_secret: totpSealContext,
  sms_phone: smsPhoneSealContext,
  user_phone: phoneContext,
  verification_destination: destinationSealContext,
  webhook_secret: webhookSecretSealContext,
};

/** How many values each key of the ring (and any key not in it) still holds. */
export interface SecretKeyStatus {
  currentKeyId: string;
  previousKeyIds: string[];
  /** Sealed values by kind and the key that sealed them: `secret rotate` moves these to the current key. */
  sealed: KeyCount<SealedKind>[];
  /**
   * Keyed hashes that can still be used, by table and the key that made them (null: stored
   * before hashes were tagged). Only their holders have the values, so they move to the current
   * key when used (API tokens, refresh tokens, trusted devices) or replaced (backup codes, and
   * codes and success tokens, which expire within minutes).
   */
  hashed: KeyCount<HashedTable>[];
}

export interface RotationProgress {
  kind: SealedKind;
  /** Values of this kind re-sealed so far in this run. */
  resealed: number;
}

export interface RotationReport {
  /** Values re-sealed under the current key, by kind. */
  resealed: Partial<Record<SealedKind, number>>;
  /**
   * Values a request changed between the read and the write (the compare-and-set lost): left as
   * the request wrote them, which is under the current key unless it ran with an older ring.
   */
  changedMeanwhile: number;
  /** Values that did not open under any key of the ring (damaged): left as they are. */
  unopenable: { kind: SealedKind; id: string }[];
}

/**
 * The operator's view of the key ring: `status` counts what depends on each key, `rotate`
 * re-seals every sealed value under the current key, in batches, while the server runs. Each
 * value is written with a compare-and-set on the value read, so a concurrent change (a new
 * authenticator, a phone number changed) is never overwritten; a run stopped part-way is
 * resumed by running it again (it picks up every value not yet under the current key).
 */
export class SecretKeyService {
  constructor(
    private readonly deps: {
      /** The storage itself, not the phone-sealing view: the columns are read as stored. */
      storage: Storage;
      secretBox: SecretBox;
      clock: Clock;
      logger: Logger;
      /** Where a rotation is recorded. */
      audit?: AuditTrail;
    },
  ) {}

  async status(): Promise<SecretKeyStatus> {
    const { storage, secretBox, clock } = this.deps;
    const now = clock.now();
    return {
      currentKeyId: secretBox.keyId,
      previousKeyIds: secretBox.ring.previous.map((key) => key.id),
      sealed: await sealedCensus(storage, now),
      hashed: await storage.secretKeys.countHashes(now),
    };
  }

  async rotate(
    options: { batchSize?: number; onProgress?: (progress: RotationProgress) => void } = {},
  ): Promise<RotationReport> {
    const batchSize = options.batchSize ?? 500;
    const report: RotationReport = { resealed: {}, changedMeanwhile: 0, unopenable: [] };
    const counted = (kind: SealedKind, won: boolean) => {
      if (!won) {
        report.changedMeanwhile += 1;
        return;
      }
      report.resealed[kind] = (report.resealed[kind] ?? 0) + 1;
    };
    for (const column of Object.keys(SEALED_COLUMN_CONTEXTS) as SealedColumn[]) {
      await this.resealColumn(column, batchSize, report, counted, options.onProgress);
    }
    await this.resealContactChanges(report, counted);
    await this.resealSetting('signing_keys', SIGNING_KEYS_SETTING, report, counted, (stored) =>
      sealedSigningKeys(stored).every((sealed) => this.isCurrent(sealed))
        ? undefined
        : resealSigningKeys(stored, this.deps.secretBox),
    );
    await this.resealSetting('audit_keys', AUDIT_SIGNING_KEYS.setting, report, counted, (stored) =>
      sealedSigningKeys(stored).every((sealed) => this.isCurrent(sealed))
        ? undefined
        : resealSigningKeys(stored, this.deps.secretBox, AUDIT_SIGNING_KEYS),
    );
    // Last: the check value moves once everything else has, so a start after a run that stopped
    // part-way still finds the old key needed (the census names it too).
    await this.resealSetting('key_check', KEY_CHECK_SETTING, report, counted, (stored) =>
      this.isCurrent(stored) ? undefined : resealKeyCheck(stored, this.deps.secretBox),
    );
    this.deps.logger.info({ ...report.resealed, changedMeanwhile: report.changedMeanwhile }, 'secret key rotation ran');
    await this.deps.audit?.record(
      { action: 'key.rotated', userId: null, details: { key: 'secret_key', kid: this.deps.secretBox.keyId } },
      SYSTEM_AUDIT_CONTEXT,
    );
    return report;
  }

  private isCurrent(sealed: string): boolean {
    return sealedKeyId(sealed) === this.deps.secretBox.keyId;
  }

  private async resealColumn(
    column: SealedColumn,
    batchSize: number,
    report: RotationReport,
    counted: (kind: SealedKind, won: boolean) => void,
    onProgress: ((progress: RotationProgress) => void) | undefined,
  ): Promise<void> {
    const { storage, secretBox } = this.deps;
    const context = SEALED_COLUMN_CONTEXTS[column];
    let after: string | null = null;
    for (;;) {
      const batch = await storage.secretKeys.listSealedNotUnder(column, secretBox.keyId, after, batchSize);
      if (batch.length === 0) return;
      for (const { id, sealed } of batch) {
        const next = this.resealOrNote(column, id, sealed, context(id), report);
        if (next !== undefined) counted(column, await storage.secretKeys.replaceSealed(column, id, sealed, next));
      }
      after = batch[batch.length - 1]?.id ?? null;
      onProgress?.({ kind: column, resealed: report.resealed[column] ?? 0 });
    }
  }

  private async resealContactChanges(
    report: RotationReport,
    counted: (kind: SealedKind, won: boolean) => void,
  ): Promise<void> {
    const { storage, clock } = this.deps;
    for (const flow of await storage.secretKeys.listLiveFlows(contactChangeMachine.name, clock.now())) {
      const sealed = contactChangeSealedValue(flow.data);
      if (sealed === undefined || this.isCurrent(sealed)) continue;
      const next = this.resealOrNote('contact_changes', flow.id, sealed, contactChangeSealContext(flow.id), report);
      if (next === undefined) continue;
      const data = JSON.stringify({ ...JSON.parse(flow.data), sealedValue: next });
      counted('contact_changes', await storage.secretKeys.replaceFlowData(flow.id, flow.data, data));
    }
  }

  /** A setting holding sealed values; a lost compare-and-set reads it again (another writer changed it). */
  private async resealSetting(
    kind: SealedKind,
    key: string,
    report: RotationReport,
    counted: (kind: SealedKind, won: boolean) => void,
    reseal: (stored: string) => string | undefined,
  ): Promise<void> {
    const { storage } = this.deps;
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const stored = await storage.settings.get(key);
      if (stored === undefined) return;
      let next: string | undefined;
      try {
        next = reseal(stored);
      } catch (error) {
        if (!(error instanceof SealOpenError)) throw error;
        report.unopenable.push({ kind, id: key });
        return;
      }
      if (next === undefined) return;
      if (await storage.secretKeys.replaceSetting(key, stored, next)) {
        counted(kind, true);
        return;
      }
    }
    counted(kind, false);
  }

  private resealOrNote(
    kind: SealedKind,
    id: string,
    sealed: string,
    context: string,
    report: RotationReport,
  ): string | undefined {
    try {
      return this.deps.secretBox.reseal(sealed, context);
    } catch (error) {
      if (!(error instanceof SealOpenError)) throw error;
      report.unopenable.push({ kind, id });
      return undefined;
    }
  }
}
