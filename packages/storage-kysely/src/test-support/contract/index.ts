import { describe, expect, it } from 'vitest';
import { describeApiTokenContract } from './api-token.contract.js';
import { describeAuditContract } from './audit.contract.js';
import { describeBackupCodeContract } from './backup-code.contract.js';
import { contractContext, type DatabaseKind } from './context.js';
import { describeDeliveredCodeContract } from './delivered-code.contract.js';
import { describeFactorContract } from './factor.contract.js';
import { describeFlowContract } from './flow.contract.js';
import { describeHistoryContract } from './history.contract.js';
import { describeLockoutContract } from './lockout.contract.js';
import { describeSchemaContract } from './schema.contract.js';
import { describeSecretKeyContract } from './secret-key.contract.js';
import { describeSessionContract } from './session.contract.js';
import { describeSettingsContract } from './settings.contract.js';
import { describeSuccessTokenContract } from './success-token.contract.js';
import { describeThrottleContract } from './throttle.contract.js';
import { describeTrustedDeviceContract } from './trusted-device.contract.js';
import { describeUnitOfWorkContract } from './unit-of-work.contract.js';
import { describeUserContract } from './user.contract.js';
import { describeVerifyServiceContract } from './verify-service.contract.js';
import { describeWebAuthnContract } from './webauthn.contract.js';
import { describeWebhookContract } from './webhook.contract.js';

/**
 * The behaviour every storage must have, one file per repository, run unchanged against each
 * dialect. Each test gets a fresh, migrated database.
 */
export function describeStorageContract(kind: DatabaseKind): void {
  describe(`${kind}: storage contract`, () => {
    const ctx = contractContext(kind);

    it('reports its dialect', () => {
      expect(ctx.storage.dialect).toBe(kind);
    });

    describeUserContract(ctx);
    describeFactorContract(ctx);
    describeSessionContract(ctx);
    describeApiTokenContract(ctx);
    describeFlowContract(ctx);
    describeLockoutContract(ctx);
    describeThrottleContract(ctx);
    describeSettingsContract(ctx);
    describeBackupCodeContract(ctx);
    describeDeliveredCodeContract(ctx);
    describeSuccessTokenContract(ctx);
    describeHistoryContract(ctx);
    describeTrustedDeviceContract(ctx);
    describeUnitOfWorkContract(ctx);
    describeSecretKeyContract(ctx);
    describeWebAuthnContract(ctx);
    describeSchemaContract(ctx);
    describeVerifyServiceContract(ctx);
    describeWebhookContract(ctx);
    describeAuditContract(ctx);
  });
}
