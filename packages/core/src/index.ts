export * from './accounts/account-rules.js';
export * from './accounts/account-service.js';
export * from './accounts/password-service.js';
export * from './accounts/reauthentication.js';
export * from './admin/account-admin-service.js';
export * from './admin/account-import.js';
export * from './admin/admin-service.js';
export * from './api-tokens/api-token-service.js';
export * from './audit/audit-chain.js';
export * from './audit/audit-checkpoint.js';
export * from './audit/audit-context.js';
export * from './audit/audit-trail.js';
export * from './audit/audit-verifier.js';
// The notices' SecurityEvent keeps its name; the audit trail's is exported under its own.
export {
  type AuditActorKind,
  SECURITY_EVENT_ACTIONS,
  type SecurityEvent as AuditSecurityEvent,
  type SecurityEventAction,
  type SecurityEventDetails,
} from './audit/events.js';
export * from './auth/actor.js';
export * from './auth/authorizer.js';
export * from './auth/operations.js';
export * from './clock.js';
export * from './config/config.js';
export * from './config/markdown-table.js';
export * from './config/server-settings.js';
export * from './config/setting-rules.js';
export * from './config/setting-schema.js';
export * from './config/settings-docs.js';
export * from './config/settings-reader.js';
export * from './create-core.js';
export * from './crypto/key-check.js';
export * from './crypto/key-ring.js';
export * from './crypto/keyed-hash.js';
export * from './crypto/secret-box.js';
export * from './delivery/delivered-code-service.js';
export * from './delivery/delivery-ports.js';
export * from './devices/trusted-device-service.js';
export * from './errors/tessera-error.js';
export * from './factors/factor-service.js';
export * from './factors/factor-view.js';
export * from './factors/second-factor-verifier.js';
export * from './flows/challenge/challenge.flow.js';
export * from './flows/contact-change/contact-change.flow.js';
export * from './flows/disable/disable.flow.js';
export * from './flows/enable/enable.flow.js';
export * from './flows/recovery/recovery.flow.js';
export * from './flows/sign-in/passkey-sign-in.js';
export * from './flows/sign-in/sign-in.flow.js';
export * from './flows/sign-in/sign-in.machine.js';
export * from './history/history-service.js';
export * from './lockout/lockout-policy.js';
export type { SecondFactorLockState } from './lockout/second-factor-guard.js';
export * from './logger.js';
export * from './methods/backup-codes/backup-code-service.js';
export * from './methods/second-factor-method.js';
export * from './methods/sms/phone-number.js';
export * from './methods/webauthn/webauthn-ceremonies.js';
export * from './methods/webauthn/webauthn-credential-service.js';
export * from './methods/webauthn/webauthn-settings.js';
export * from './metrics/core-metrics.js';
export * from './notifications/notification-service.js';
export * from './otp/index.js';
export * from './policy/policy-service.js';
export * from './secret-keys/key-census.js';
export * from './secret-keys/secret-key-service.js';
export * from './sessions/cookie-session-service.js';
export * from './sessions/session-management.js';
export * from './sessions/session-service.js';
export * from './sessions/signing-keys.js';
export * from './sessions/token-introspection.js';
export * from './settings/issuer-settings.js';
export * from './storage/index.js';
export * from './success-tokens/success-token-service.js';
export * from './throttle/password-throttle-policy.js';
export * from './webhooks/index.js';
