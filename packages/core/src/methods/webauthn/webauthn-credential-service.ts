import type { Actor } from '../../auth/actor.js';
import type { Authorizer } from '../../auth/authorizer.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { FactorChanges } from '../../factors/factor-changes.js';
import { type ChangeContext, changeContextFor } from '../../history/history-service.js';
import type { FactorOf, WebAuthnCredentialRecord } from '../../storage/records.js';
import type { Repositories, Storage } from '../../storage/repositories.js';
import type { SuccessTokenService } from '../../success-tokens/success-token-service.js';
import type { MethodRegistry } from '../method-registry.js';
import { authenticatorModel } from './aaguid-names.js';

/** What the security page and the admin page show of a key: nothing that signs anything. */
export interface WebAuthnCredentialView {
  id: string;
  name: string;
  /** A passkey: discoverable, registered with user verification; it can sign in without a password. */
  passkey: boolean;
  aaguid: string;
  /** The model's name from the AAGUID when it is a well-known one (null otherwise), whatever the key's name. */
  model: string | null;
  transports: string[];
  /** May be synced to the user's other devices (a synced passkey), and is. */
  backupEligible: boolean;
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

export const CREDENTIAL_NAME_MAX = 64;

/**
 * The user's security keys and passkeys one by one: list, rename, and remove one (behind a
 * step-up: a success token for `remove_webauthn_credential` on that key). Removing the last key
 * turns the method off, with the backup codes when no other factor is left, as a disable does.
 * Admins list and remove a user's keys.
 */
export class WebAuthnCredentialService {
  constructor(
    private readonly deps: {
      storage: Storage;
      methods: MethodRegistry;
      successTokens: SuccessTokenService;
      changes: FactorChanges;
      authorizer: Authorizer;
    },
  ) {}

  async list(actor: Actor): Promise<WebAuthnCredentialView[]> {
    const userId = await this.deps.authorizer.own(actor, 'own.read_status');
    return this.listOf(userId);
  }

  async listFor(actor: Actor, userId: string): Promise<WebAuthnCredentialView[]> {
    await this.deps.authorizer.admin(actor, 'admin.read');
    return this.listOf(userId);
  }

  async rename(actor: Actor, id: string, name: string): Promise<WebAuthnCredentialView> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > CREDENTIAL_NAME_MAX) {
      throw new TesseraError('VALIDATION_FAILED', { message: `A name is 1 to ${CREDENTIAL_NAME_MAX} characters.` });
    }
    if (!(await this.deps.storage.webauthnCredentials.rename(id, userId, trimmed))) {
      throw new TesseraError('WEBAUTHN_CREDENTIAL_NOT_FOUND');
    }
    const renamed = (await this.deps.storage.webauthnCredentials.listByUser(userId)).find((c) => c.id === id);
    if (!renamed) throw new TesseraError('WEBAUTHN_CREDENTIAL_NOT_FOUND');
    return toCredentialView(renamed);
  }

  /** Removes one of the caller's keys with a success token for `remove_webauthn_credential` on it. */
  async remove(actor: Actor, id: string, successToken: string): Promise<{ methodActive: boolean }> {
    const userId = await this.deps.authorizer.own(actor, 'own.manage');
    return this.removeOwned(userId, id, changeContextFor(actor, userId), successToken);
  }

  /** An admin removes one of a user's keys (a lost key reported to the help desk). */
  async removeFor(actor: Actor, userId: string, id: string): Promise<{ methodActive: boolean }> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    return this.removeOwned(userId, id, changeContextFor(actor, userId));
  }

  private async listOf(userId: string): Promise<WebAuthnCredentialView[]> {
    return (await this.deps.storage.webauthnCredentials.listByUser(userId)).map(toCredentialView);
  }

  private async removeOwned(
    userId: string,
    id: string,
    context: ChangeContext,
    successToken?: string,
  ): Promise<{ methodActive: boolean }> {
    const { storage, successTokens, changes, methods } = this.deps;
    const { methodActive, notify } = await storage.transaction(async (tx) => {
      if (successToken !== undefined) {
        await successTokens.consumeFor(userId, successToken, 'remove_webauthn_credential', id, tx.successTokens);
      }
      if (!(await tx.webauthnCredentials.delete(id, userId))) throw new TesseraError('WEBAUTHN_CREDENTIAL_NOT_FOUND');
      const left = await tx.webauthnCredentials.countByUser(userId);
      const notices = [
        await changes.recordIn(
          tx,
          { userId, method: 'webauthn', action: left === 0 ? 'disable' : 'update', enabled: left > 0 },
          context,
        ),
      ];
      if (left === 0) {
        const factor = await tx.factors.findActive(userId, 'webauthn');
        if (factor) await tx.factors.delete(factor.id);
        const orphaned = await orphanedBackupCodes(userId, tx);
        if (orphaned) {
          await methods.of(orphaned).onRemove?.(orphaned, tx);
          await tx.factors.delete(orphaned.id);
          notices.push(
            await changes.recordIn(tx, { userId, method: 'backup_codes', action: 'disable', enabled: false }, context),
          );
        }
      }
      return { methodActive: left > 0, notify: () => Promise.all(notices.map((send) => send())) };
    });
    await notify();
    return { methodActive };
  }
}

/**
 * The backup-code set of an account that has no other active factor left: backup codes stand in
 * for a lost factor; alone they would be a second factor of their own, printed on paper.
 */
export async function orphanedBackupCodes(
  userId: string,
  tx: Repositories,
): Promise<FactorOf<'backup_codes'> | undefined> {
  const kinds = await tx.factors.activeKinds(userId);
  if (kinds.length !== 1 || kinds[0] !== 'backup_codes') return undefined;
  return tx.factors.findActive(userId, 'backup_codes');
}

export function toCredentialView(credential: WebAuthnCredentialRecord): WebAuthnCredentialView {
  return {
    id: credential.id,
    name: credential.name,
    passkey: credential.discoverable && credential.userVerified,
    aaguid: credential.aaguid,
    model: authenticatorModel(credential.aaguid),
    transports: credential.transports,
    backupEligible: credential.backupEligible,
    backedUp: credential.backedUp,
    createdAt: credential.createdAt.toISOString(),
    lastUsedAt: credential.lastUsedAt ? credential.lastUsedAt.toISOString() : null,
  };
}
