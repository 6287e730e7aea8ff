import type { Storage } from '@tessera/core';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import { type MigrationOutcome, migrateToLatest } from './migrate.js';
import { KyselyApiTokenRepository } from './repositories/kysely-api-token.repository.js';
import { KyselyBackupCodeRepository } from './repositories/kysely-backup-code.repository.js';
import { KyselyDeliveredCodeRepository } from './repositories/kysely-delivered-code.repository.js';
import { KyselyFactorRepository } from './repositories/kysely-factor.repository.js';
import { KyselyFlowRepository } from './repositories/kysely-flow.repository.js';
import { KyselyHistoryRepository } from './repositories/kysely-history.repository.js';
import { KyselyLockoutRepository } from './repositories/kysely-lockout.repository.js';
import { KyselySessionRepository } from './repositories/kysely-session.repository.js';
import { KyselySettingsRepository } from './repositories/kysely-settings.repository.js';
import { KyselySuccessTokenRepository } from './repositories/kysely-success-token.repository.js';
import { KyselyTrustedDeviceRepository } from './repositories/kysely-trusted-device.repository.js';
import { KyselyUserRepository } from './repositories/kysely-user.repository.js';
import type { StorageDialect } from './storage-dialect.js';

/** The core's Storage over Kysely, plus what only this implementation has. */
export interface KyselyStorage extends Storage {
  readonly db: Kysely<Database>;
  /** Applies the migrations not yet applied; see migrateToLatest. */
  migrate(): Promise<MigrationOutcome>;
}

/**
 * Wires the repositories over an open Kysely instance. openStorage is the usual way in; this is
 * for callers that build the Kysely instance themselves (for example to log every query).
 */
export function createKyselyStorage(db: Kysely<Database>, dialect: StorageDialect): KyselyStorage {
  return {
    db,
    dialect,
    users: new KyselyUserRepository(db, dialect),
    factors: new KyselyFactorRepository(db, dialect),
    sessions: new KyselySessionRepository(db, dialect),
    apiTokens: new KyselyApiTokenRepository(db, dialect),
    flows: new KyselyFlowRepository(db),
    lockouts: new KyselyLockoutRepository(db),
    settings: new KyselySettingsRepository(db, dialect),
    backupCodes: new KyselyBackupCodeRepository(db, dialect),
    deliveredCodes: new KyselyDeliveredCodeRepository(db),
    successTokens: new KyselySuccessTokenRepository(db),
    history: new KyselyHistoryRepository(db, dialect),
    trustedDevices: new KyselyTrustedDeviceRepository(db, dialect),
    migrate: () => migrateToLatest(db, { dialect }),
    close: () => db.destroy(),
  };
}
