import type { Migration } from 'kysely';
import type { StorageDialect } from '../storage-dialect.js';
import * as initial from './2026_11_23_000001_initial.js';
import * as secondFactors from './2026_11_23_000002_second_factors.js';
import * as factorDetails from './2026_11_25_000001_factor_details.js';
import * as apiTokenScope from './2026_11_25_000002_api_token_scope.js';
import * as throttles from './2026_11_25_000010_throttles.js';
import * as lockoutFailureCeiling from './2026_11_25_000020_lockout_failure_ceiling.js';
import * as deliveredCodeSender from './2026_11_25_000021_delivered_code_sender.js';
import * as cpanelAccounts from './2026_11_25_000030_cpanel_accounts.js';
import * as accountAdmin from './2026_11_25_000031_account_admin.js';
import * as selfService from './2026_11_25_000040_self_service.js';
import * as scaleIndexes from './2026_11_25_000070_scale_indexes.js';
import * as historyUserCounts from './2026_11_25_000080_history_user_counts.js';
import * as historyNumbers from './2026_12_04_000401_history_numbers.js';
import * as passwordOnlyTokens from './2026_12_04_000601_password_only_tokens.js';
import * as webauthn from './2026_12_04_000901_webauthn.js';
import * as auditTrail from './2026_12_05_000100_audit_trail.js';
import * as webhooks from './2026_12_05_000200_webhooks.js';
import * as destinationVerifications from './2026_12_05_000300_destination_verifications.js';
import * as entityChallenges from './2026_12_05_000301_entity_challenges.js';
import * as sessionAmr from './2026_12_05_000600_session_amr.js';

/**
 * Every migration, keyed by the name recorded in the database (never rename one). Names sort
 * in the order they run: a new migration gets a later timestamp, never an earlier one, or the
 * Migrator refuses to run on databases that already applied the later ones.
 */
export function listMigrations(dialect: StorageDialect): Record<string, Migration> {
  return {
    '2026_11_23_000001_initial': { up: (db) => initial.up(db, dialect) },
    '2026_11_23_000002_second_factors': { up: (db) => secondFactors.up(db, dialect) },
    '2026_11_25_000001_factor_details': { up: (db) => factorDetails.up(db, dialect) },
    '2026_11_25_000002_api_token_scope': { up: (db) => apiTokenScope.up(db) },
    '2026_11_25_000010_throttles': { up: (db) => throttles.up(db, dialect) },
    '2026_11_25_000020_lockout_failure_ceiling': { up: (db) => lockoutFailureCeiling.up(db) },
    '2026_11_25_000021_delivered_code_sender': { up: (db) => deliveredCodeSender.up(db) },
    '2026_11_25_000030_cpanel_accounts': { up: (db) => cpanelAccounts.up(db) },
    '2026_11_25_000031_account_admin': { up: (db) => accountAdmin.up(db, dialect) },
    '2026_11_25_000040_self_service': { up: (db) => selfService.up(db, dialect) },
    '2026_11_25_000070_scale_indexes': { up: (db) => scaleIndexes.up(db, dialect) },
    '2026_11_25_000080_history_user_counts': { up: (db) => historyUserCounts.up(db, dialect) },
    '2026_12_04_000401_history_numbers': { up: (db) => historyNumbers.up(db, dialect) },
    '2026_12_04_000601_password_only_tokens': { up: (db) => passwordOnlyTokens.up(db) },
    '2026_12_04_000901_webauthn': { up: (db) => webauthn.up(db, dialect) },
    '2026_12_05_000100_audit_trail': { up: (db) => auditTrail.up(db, dialect) },
    '2026_12_05_000200_webhooks': { up: (db) => webhooks.up(db, dialect) },
    '2026_12_05_000300_destination_verifications': { up: (db) => destinationVerifications.up(db, dialect) },
    '2026_12_05_000301_entity_challenges': { up: (db) => entityChallenges.up(db, dialect) },
    '2026_12_05_000600_session_amr': { up: (db) => sessionAmr.up(db) },
  };
}
