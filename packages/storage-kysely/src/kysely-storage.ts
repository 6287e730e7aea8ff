import type { Repositories, Storage } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import { durableWrite } from './durable-write.js';
import { GroupCommit } from './group-commit.js';
import { type MigrationOutcome, migrateToLatest, pendingMigrations } from './migrate.js';
import { KyselyApiTokenRepository } from './repositories/kysely-api-token.repository.js';
import { KyselyAuditRepository } from './repositories/kysely-audit.repository.js';
import { KyselyBackupCodeRepository } from './repositories/kysely-backup-code.repository.js';
import { KyselyDeliveredCodeRepository } from './repositories/kysely-delivered-code.repository.js';
import { KyselyEntityChallengeRepository } from './repositories/kysely-entity-challenge.repository.js';
import { KyselyFactorRepository } from './repositories/kysely-factor.repository.js';
import { KyselyFlowRepository } from './repositories/kysely-flow.repository.js';
import { KyselyHistoryRepository } from './repositories/kysely-history.repository.js';
import { KyselyLockoutRepository } from './repositories/kysely-lockout.repository.js';
import { KyselySecretKeyRepository } from './repositories/kysely-secret-key.repository.js';
import { KyselySessionRepository } from './repositories/kysely-session.repository.js';
import { KyselySettingsRepository } from './repositories/kysely-settings.repository.js';
import { KyselySuccessTokenRepository } from './repositories/kysely-success-token.repository.js';
import { KyselyThrottleRepository } from './repositories/kysely-throttle.repository.js';
import { KyselyTrustedDeviceRepository } from './repositories/kysely-trusted-device.repository.js';
import { KyselyUserRepository } from './repositories/kysely-user.repository.js';
import {
  KyselyDestinationVerificationRepository,
  KyselyVerifyServiceRepository,
} from './repositories/kysely-verify-service.repository.js';
import { KyselyWebAuthnChallengeRepository } from './repositories/kysely-webauthn-challenge.repository.js';
import { KyselyWebAuthnCredentialRepository } from './repositories/kysely-webauthn-credential.repository.js';
import { KyselyWebhookRepository } from './repositories/kysely-webhook.repository.js';
import type { StorageDialect } from './storage-dialect.js';
import type { StorageMetrics } from './storage-metrics.js';

/** The core's Storage over Kysely, plus what only this implementation has. */
export interface KyselyStorage extends Storage {
  readonly db: Kysely<Database>;
  /** Where the second-factor attempts' writes share their commits. */
  readonly groupCommit: GroupCommit;
  /** Applies the migrations not yet applied; see migrateToLatest. */
  migrate(): Promise<MigrationOutcome>;
  /** The migrations not applied yet: the database answers and its schema is current when empty. */
  pendingMigrations(): Promise<string[]>;
}

/**
 * Wires the repositories over an open Kysely instance. openStorage is the usual way in; this is
 * for callers that build the Kysely instance themselves (for example to log every query).
 */
export function createKyselyStorage(
  db: Kysely<Database>,
  dialect: StorageDialect,
  /** `metrics`: where the group commit's batch sizes go (statement times come from the Kysely instance's log). */
  options: { metrics?: StorageMetrics | undefined } = {},
): KyselyStorage {
  // The writes of every second-factor attempt, grouped into shared commits (group-commit.ts).
  const { metrics } = options;
  const groupCommit = new GroupCommit(db, metrics && ((writes) => metrics.groupCommitted(writes)));
  return {
    db,
    dialect,
    groupCommit,
    secretKeys: new KyselySecretKeyRepository(db, dialect),
    ...createRepositories(db, dialect, groupCommit),
    // A unit of work is a durable write whose transaction the repositories are bound to; what
    // they would run in a transaction of their own runs in a savepoint of it (see
    // durable-write.ts and transaction.ts). On SQLite it holds the one connection until it
    // ends: a query on the storage itself (not on the repositories given) would wait for it
    // forever.
    transaction: (work) => durableWrite(db, dialect, (trx) => work(createRepositories(trx, dialect))),
    migrate: () => migrateToLatest(db, { dialect }),
    pendingMigrations: () => pendingMigrations(db, { dialect }),
    close: () => db.destroy(),
  };
}

/** Every repository over `db`: the database itself, or one transaction of it. */
function createRepositories(db: Kysely<Database>, dialect: StorageDialect, groupCommit?: GroupCommit): Repositories {
  return {
    users: new KyselyUserRepository(db, dialect),
    factors: new KyselyFactorRepository(db, dialect, groupCommit),
    sessions: new KyselySessionRepository(db, dialect),
    apiTokens: new KyselyApiTokenRepository(db, dialect),
    flows: new KyselyFlowRepository(db),
    lockouts: new KyselyLockoutRepository(db, dialect, groupCommit),
    throttles: new KyselyThrottleRepository(db),
    settings: new KyselySettingsRepository(db, dialect),
    backupCodes: new KyselyBackupCodeRepository(db, dialect),
    deliveredCodes: new KyselyDeliveredCodeRepository(db, dialect),
    successTokens: new KyselySuccessTokenRepository(db),
    history: new KyselyHistoryRepository(db, dialect),
    trustedDevices: new KyselyTrustedDeviceRepository(db, dialect),
    webauthnCredentials: new KyselyWebAuthnCredentialRepository(db),
    webauthnChallenges: new KyselyWebAuthnChallengeRepository(db),
    verifyServices: new KyselyVerifyServiceRepository(db),
    destinationVerifications: new KyselyDestinationVerificationRepository(db),
    entityChallenges: new KyselyEntityChallengeRepository(db),
    webhooks: new KyselyWebhookRepository(db, dialect),
    audit: new KyselyAuditRepository(db, dialect),
  };
}
