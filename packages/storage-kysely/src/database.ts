import type { ApiTokenTable } from './tables/api-token.table.js';
import type { AuditCheckpointTable, AuditEntryTable, AuditHeadTable } from './tables/audit.table.js';
import type { BackupCodeTable } from './tables/backup-code.table.js';
import type { DeliveredCodeTable } from './tables/delivered-code.table.js';
import type { EntityChallengeTable } from './tables/entity-challenge.table.js';
import type { FactorTable } from './tables/factor.table.js';
import type { FactorBackupCodesTable } from './tables/factor-backup-codes.table.js';
import type { FactorEmailTable } from './tables/factor-email.table.js';
import type { FactorSmsTable } from './tables/factor-sms.table.js';
import type { FactorTotpTable } from './tables/factor-totp.table.js';
import type { FactorWebAuthnTable } from './tables/factor-webauthn.table.js';
import type { FlowTable } from './tables/flow.table.js';
import type { HistoryTable } from './tables/history.table.js';
import type { HistoryCountTable } from './tables/history-count.table.js';
import type { HistoryUserCountTable } from './tables/history-user-count.table.js';
import type { LockoutTable } from './tables/lockout.table.js';
import type { RefreshTokenTable } from './tables/refresh-token.table.js';
import type { SessionFamilyTable } from './tables/session-family.table.js';
import type { SettingTable } from './tables/setting.table.js';
import type { SuccessTokenTable } from './tables/success-token.table.js';
import type { ThrottleTable } from './tables/throttle.table.js';
import type { TrustedDeviceTable } from './tables/trusted-device.table.js';
import type { UserTable } from './tables/user.table.js';
import type { DestinationVerificationTable, VerifyServiceTable } from './tables/verify-service.table.js';
import type { WebAuthnChallengeTable } from './tables/webauthn-challenge.table.js';
import type { WebAuthnCredentialTable } from './tables/webauthn-credential.table.js';
import type {
  WebhookAttemptTable,
  WebhookDeliveryTable,
  WebhookEndpointTable,
  WebhookEventTable,
  WebhookSecretTable,
} from './tables/webhook.tables.js';

/**
 * The schema as Kysely sees it: the single source of row types for every query.
 *
 * Times are stored as integer milliseconds since the epoch (BIGINT in PostgreSQL, INTEGER in
 * SQLite) rather than as native timestamps: both dialects then store and compare them the same
 * way, nothing depends on a session time zone, and a Date round-trips to the millisecond.
 * The repositories convert them to Date.
 */
export interface Database {
  users: UserTable;
  factors: FactorTable;
  factor_totp: FactorTotpTable;
  factor_sms: FactorSmsTable;
  factor_email: FactorEmailTable;
  factor_backup_codes: FactorBackupCodesTable;
  factor_webauthn: FactorWebAuthnTable;
  session_families: SessionFamilyTable;
  refresh_tokens: RefreshTokenTable;
  api_tokens: ApiTokenTable;
  flows: FlowTable;
  lockouts: LockoutTable;
  throttles: ThrottleTable;
  settings: SettingTable;
  backup_codes: BackupCodeTable;
  delivered_codes: DeliveredCodeTable;
  success_tokens: SuccessTokenTable;
  history: HistoryTable;
  history_counts: HistoryCountTable;
  history_user_counts: HistoryUserCountTable;
  trusted_devices: TrustedDeviceTable;
  webauthn_credentials: WebAuthnCredentialTable;
  webauthn_challenges: WebAuthnChallengeTable;
  verify_services: VerifyServiceTable;
  destination_verifications: DestinationVerificationTable;
  entity_challenges: EntityChallengeTable;
  webhook_endpoints: WebhookEndpointTable;
  webhook_secrets: WebhookSecretTable;
  webhook_events: WebhookEventTable;
  webhook_deliveries: WebhookDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
  audit_entries: AuditEntryTable;
  audit_head: AuditHeadTable;
  audit_checkpoints: AuditCheckpointTable;
}
