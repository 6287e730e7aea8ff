// This file is generated from openapi.json by scripts/sdk-operations.mjs (npm run sdk:generate).

import type * as T from './types.gen.js';

/** Every native operation by operationId: how it is called. */
export const OPERATIONS = {
  getHealth: { method: 'GET', path: '/health', bearer: false },
  getReadiness: { method: 'GET', path: '/ready', bearer: false },
  getJwks: { method: 'GET', path: '/.well-known/jwks.json', bearer: false },
  signUp: { method: 'POST', path: '/api/v1/users', bearer: false },
  signIn: { method: 'POST', path: '/api/v1/auth/sign-in', bearer: false },
  selectSignInMethod: { method: 'POST', path: '/api/v1/auth/sign-in/{flowId}/method', bearer: false },
  completeSignIn: { method: 'POST', path: '/api/v1/auth/sign-in/{flowId}/second-factor', bearer: false },
  startRecovery: { method: 'POST', path: '/api/v1/auth/recovery', bearer: false },
  confirmRecovery: { method: 'POST', path: '/api/v1/auth/recovery/{challengeId}/confirm', bearer: false },
  resetPassword: { method: 'POST', path: '/api/v1/auth/password-reset', bearer: false },
  refreshTokens: { method: 'POST', path: '/api/v1/auth/refresh', bearer: false },
  introspectToken: { method: 'POST', path: '/api/v1/auth/introspect', bearer: true },
  signOut: { method: 'POST', path: '/api/v1/auth/sign-out', bearer: true },
  getAccount: { method: 'GET', path: '/api/v1/me', bearer: true },
  listFactors: { method: 'GET', path: '/api/v1/me/factors', bearer: true },
  beginTotpEnrollment: { method: 'POST', path: '/api/v1/me/factors/totp', bearer: true },
  confirmFactor: { method: 'POST', path: '/api/v1/me/factors/{factorId}/confirm', bearer: true },
  useDefaultTotpSettings: { method: 'POST', path: '/api/v1/me/factors/{factorId}/use-default-settings', bearer: true },
  deleteFactor: { method: 'DELETE', path: '/api/v1/me/factors/{factorId}', bearer: true },
  verifyCode: { method: 'POST', path: '/api/v1/me/verify', bearer: true },
  listApiTokens: { method: 'GET', path: '/api/v1/me/api-tokens', bearer: true },
  createApiToken: { method: 'POST', path: '/api/v1/me/api-tokens', bearer: true },
  revokeApiToken: { method: 'DELETE', path: '/api/v1/me/api-tokens/{tokenId}', bearer: true },
  verifyUserCode: { method: 'POST', path: '/api/v1/verify', bearer: true },
  getTwoFactorStatus: { method: 'GET', path: '/api/v1/me/2fa', bearer: true },
  startEnable: { method: 'POST', path: '/api/v1/me/2fa/enable', bearer: true },
  getEnable: { method: 'GET', path: '/api/v1/me/2fa/enable/{flowId}', bearer: true },
  confirmEnable: { method: 'POST', path: '/api/v1/me/2fa/enable/{flowId}/confirm', bearer: true },
  resendEnableCode: { method: 'POST', path: '/api/v1/me/2fa/enable/{flowId}/resend', bearer: true },
  startDisable: { method: 'POST', path: '/api/v1/me/2fa/disable', bearer: true },
  confirmDisable: { method: 'POST', path: '/api/v1/me/2fa/disable/{flowId}/confirm', bearer: true },
  resendDisableCode: { method: 'POST', path: '/api/v1/me/2fa/disable/{flowId}/resend', bearer: true },
  startChallenge: { method: 'POST', path: '/api/v1/me/2fa/challenges', bearer: true },
  getChallenge: { method: 'GET', path: '/api/v1/me/2fa/challenges/{challengeId}', bearer: true },
  confirmChallenge: { method: 'POST', path: '/api/v1/me/2fa/challenges/{challengeId}/confirm', bearer: true },
  getBackupCodeStatus: { method: 'GET', path: '/api/v1/me/2fa/backup-codes', bearer: true },
  regenerateBackupCodes: { method: 'POST', path: '/api/v1/me/2fa/backup-codes/regenerate', bearer: true },
  startWebAuthnRegistration: { method: 'POST', path: '/api/v1/me/2fa/webauthn/registration', bearer: true },
  finishWebAuthnRegistration: { method: 'POST', path: '/api/v1/me/2fa/webauthn/registration/{flowId}', bearer: true },
  listWebAuthnCredentials: { method: 'GET', path: '/api/v1/me/2fa/webauthn/credentials', bearer: true },
  renameWebAuthnCredential: {
    method: 'PATCH',
    path: '/api/v1/me/2fa/webauthn/credentials/{credentialId}',
    bearer: true,
  },
  removeWebAuthnCredential: {
    method: 'DELETE',
    path: '/api/v1/me/2fa/webauthn/credentials/{credentialId}',
    bearer: true,
  },
  startWebAuthnSignInStep: { method: 'POST', path: '/api/v1/auth/sign-in/{flowId}/webauthn/options', bearer: false },
  completeWebAuthnSignInStep: { method: 'POST', path: '/api/v1/auth/sign-in/{flowId}/webauthn', bearer: false },
  getPasskeyAvailability: { method: 'GET', path: '/api/v1/auth/passkey', bearer: false },
  completePasskeySignIn: { method: 'POST', path: '/api/v1/auth/passkey', bearer: false },
  startPasskeySignIn: { method: 'POST', path: '/api/v1/auth/passkey/options', bearer: false },
  startWebAuthnChallenge: { method: 'POST', path: '/api/v1/me/2fa/webauthn/challenges', bearer: true },
  confirmWebAuthnChallenge: { method: 'POST', path: '/api/v1/me/2fa/webauthn/challenges/{challengeId}', bearer: true },
  adminListWebAuthnCredentials: {
    method: 'GET',
    path: '/api/v1/admin/users/{userId}/webauthn/credentials',
    bearer: true,
  },
  adminRemoveWebAuthnCredential: {
    method: 'DELETE',
    path: '/api/v1/admin/users/{userId}/webauthn/credentials/{credentialId}',
    bearer: true,
  },
  listHistory: { method: 'GET', path: '/api/v1/me/2fa/history', bearer: true },
  getHistoryEntry: { method: 'GET', path: '/api/v1/me/2fa/history/{entryId}', bearer: true },
  listTrustedDevices: { method: 'GET', path: '/api/v1/me/devices', bearer: true },
  forgetTrustedDevice: { method: 'DELETE', path: '/api/v1/me/devices/{deviceId}', bearer: true },
  changePassword: { method: 'POST', path: '/api/v1/me/password', bearer: true },
  listMySessions: { method: 'GET', path: '/api/v1/me/sessions', bearer: true },
  revokeMySession: { method: 'DELETE', path: '/api/v1/me/sessions/{sessionId}', bearer: true },
  revokeAllMySessions: { method: 'POST', path: '/api/v1/me/sessions/revoke-all', bearer: true },
  startEmailChange: { method: 'POST', path: '/api/v1/me/email', bearer: true },
  startPhoneChange: { method: 'POST', path: '/api/v1/me/phone', bearer: true },
  getContactChange: { method: 'GET', path: '/api/v1/me/contact-changes/{changeId}', bearer: true },
  confirmContactChange: { method: 'POST', path: '/api/v1/me/contact-changes/{changeId}/confirm', bearer: true },
  setIssuer: { method: 'PUT', path: '/api/v1/me/issuer', bearer: true },
  adminListUsers: { method: 'GET', path: '/api/v1/admin/users', bearer: true },
  adminCreateUser: { method: 'POST', path: '/api/v1/admin/users', bearer: true },
  adminListUserFactors: { method: 'GET', path: '/api/v1/admin/users/{userId}/factors', bearer: true },
  adminResetTwoFactor: { method: 'DELETE', path: '/api/v1/admin/users/{userId}/2fa', bearer: true },
  adminUnlockSecondFactor: { method: 'POST', path: '/api/v1/admin/users/{userId}/2fa/unlock', bearer: true },
  adminLookUpUser: { method: 'GET', path: '/api/v1/admin/users/lookup', bearer: true },
  adminGetUser: { method: 'GET', path: '/api/v1/admin/users/{userId}', bearer: true },
  adminUpdateUser: { method: 'PATCH', path: '/api/v1/admin/users/{userId}', bearer: true },
  adminDeleteUser: { method: 'DELETE', path: '/api/v1/admin/users/{userId}', bearer: true },
  adminDisableUser: { method: 'POST', path: '/api/v1/admin/users/{userId}/disable', bearer: true },
  adminEnableUser: { method: 'POST', path: '/api/v1/admin/users/{userId}/enable', bearer: true },
  adminExportTotp: { method: 'POST', path: '/api/v1/admin/users/{userId}/2fa/totp/export', bearer: true },
  adminImportTotp: { method: 'POST', path: '/api/v1/admin/users/{userId}/2fa/totp/import', bearer: true },
  adminSetUserIssuer: { method: 'PUT', path: '/api/v1/admin/users/{userId}/issuer', bearer: true },
  adminGetSystemIssuer: { method: 'GET', path: '/api/v1/admin/settings/issuer', bearer: true },
  adminSetSystemIssuer: { method: 'PUT', path: '/api/v1/admin/settings/issuer', bearer: true },
  adminRotateSigningKey: { method: 'POST', path: '/api/v1/admin/settings/signing-keys/rotate', bearer: true },
  adminListWebhooks: { method: 'GET', path: '/api/v1/admin/webhooks', bearer: true },
  adminCreateWebhook: { method: 'POST', path: '/api/v1/admin/webhooks', bearer: true },
  adminGetWebhook: { method: 'GET', path: '/api/v1/admin/webhooks/{webhookId}', bearer: true },
  adminUpdateWebhook: { method: 'PATCH', path: '/api/v1/admin/webhooks/{webhookId}', bearer: true },
  adminDeleteWebhook: { method: 'DELETE', path: '/api/v1/admin/webhooks/{webhookId}', bearer: true },
  adminRotateWebhookSecret: { method: 'POST', path: '/api/v1/admin/webhooks/{webhookId}/rotate-secret', bearer: true },
  adminListWebhookDeliveries: { method: 'GET', path: '/api/v1/admin/webhooks/{webhookId}/deliveries', bearer: true },
  adminRedeliverWebhook: {
    method: 'POST',
    path: '/api/v1/admin/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver',
    bearer: true,
  },
  adminGetPolicy: { method: 'GET', path: '/api/v1/admin/policy', bearer: true },
  adminUpdatePolicy: { method: 'PUT', path: '/api/v1/admin/policy', bearer: true },
  adminListHistory: { method: 'GET', path: '/api/v1/admin/history', bearer: true },
  adminGetHistoryEntry: { method: 'GET', path: '/api/v1/admin/history/{entryId}', bearer: true },
} as const;

export type OperationId = keyof typeof OPERATIONS;

/** Every native operation by operationId: what it sends and what it answers. */
export interface OperationTypes {
  getHealth: { data: T.GetHealthData; responses: T.GetHealthResponses };
  getReadiness: { data: T.GetReadinessData; responses: T.GetReadinessResponses };
  getJwks: { data: T.GetJwksData; responses: T.GetJwksResponses };
  signUp: { data: T.SignUpData; responses: T.SignUpResponses };
  signIn: { data: T.SignInData; responses: T.SignInResponses };
  selectSignInMethod: { data: T.SelectSignInMethodData; responses: T.SelectSignInMethodResponses };
  completeSignIn: { data: T.CompleteSignInData; responses: T.CompleteSignInResponses };
  startRecovery: { data: T.StartRecoveryData; responses: T.StartRecoveryResponses };
  confirmRecovery: { data: T.ConfirmRecoveryData; responses: T.ConfirmRecoveryResponses };
  resetPassword: { data: T.ResetPasswordData; responses: T.ResetPasswordResponses };
  refreshTokens: { data: T.RefreshTokensData; responses: T.RefreshTokensResponses };
  introspectToken: { data: T.IntrospectTokenData; responses: T.IntrospectTokenResponses };
  signOut: { data: T.SignOutData; responses: T.SignOutResponses };
  getAccount: { data: T.GetAccountData; responses: T.GetAccountResponses };
  listFactors: { data: T.ListFactorsData; responses: T.ListFactorsResponses };
  beginTotpEnrollment: { data: T.BeginTotpEnrollmentData; responses: T.BeginTotpEnrollmentResponses };
  confirmFactor: { data: T.ConfirmFactorData; responses: T.ConfirmFactorResponses };
  useDefaultTotpSettings: { data: T.UseDefaultTotpSettingsData; responses: T.UseDefaultTotpSettingsResponses };
  deleteFactor: { data: T.DeleteFactorData; responses: T.DeleteFactorResponses };
  verifyCode: { data: T.VerifyCodeData; responses: T.VerifyCodeResponses };
  listApiTokens: { data: T.ListApiTokensData; responses: T.ListApiTokensResponses };
  createApiToken: { data: T.CreateApiTokenData; responses: T.CreateApiTokenResponses };
  revokeApiToken: { data: T.RevokeApiTokenData; responses: T.RevokeApiTokenResponses };
  verifyUserCode: { data: T.VerifyUserCodeData; responses: T.VerifyUserCodeResponses };
  getTwoFactorStatus: { data: T.GetTwoFactorStatusData; responses: T.GetTwoFactorStatusResponses };
  startEnable: { data: T.StartEnableData; responses: T.StartEnableResponses };
  getEnable: { data: T.GetEnableData; responses: T.GetEnableResponses };
  confirmEnable: { data: T.ConfirmEnableData; responses: T.ConfirmEnableResponses };
  resendEnableCode: { data: T.ResendEnableCodeData; responses: T.ResendEnableCodeResponses };
  startDisable: { data: T.StartDisableData; responses: T.StartDisableResponses };
  confirmDisable: { data: T.ConfirmDisableData; responses: T.ConfirmDisableResponses };
  resendDisableCode: { data: T.ResendDisableCodeData; responses: T.ResendDisableCodeResponses };
  startChallenge: { data: T.StartChallengeData; responses: T.StartChallengeResponses };
  getChallenge: { data: T.GetChallengeData; responses: T.GetChallengeResponses };
  confirmChallenge: { data: T.ConfirmChallengeData; responses: T.ConfirmChallengeResponses };
  getBackupCodeStatus: { data: T.GetBackupCodeStatusData; responses: T.GetBackupCodeStatusResponses };
  regenerateBackupCodes: { data: T.RegenerateBackupCodesData; responses: T.RegenerateBackupCodesResponses };
  startWebAuthnRegistration: { data: T.StartWebAuthnRegistrationData; responses: T.StartWebAuthnRegistrationResponses };
  finishWebAuthnRegistration: {
    data: T.FinishWebAuthnRegistrationData;
    responses: T.FinishWebAuthnRegistrationResponses;
  };
  listWebAuthnCredentials: { data: T.ListWebAuthnCredentialsData; responses: T.ListWebAuthnCredentialsResponses };
  renameWebAuthnCredential: { data: T.RenameWebAuthnCredentialData; responses: T.RenameWebAuthnCredentialResponses };
  removeWebAuthnCredential: { data: T.RemoveWebAuthnCredentialData; responses: T.RemoveWebAuthnCredentialResponses };
  startWebAuthnSignInStep: { data: T.StartWebAuthnSignInStepData; responses: T.StartWebAuthnSignInStepResponses };
  completeWebAuthnSignInStep: {
    data: T.CompleteWebAuthnSignInStepData;
    responses: T.CompleteWebAuthnSignInStepResponses;
  };
  getPasskeyAvailability: { data: T.GetPasskeyAvailabilityData; responses: T.GetPasskeyAvailabilityResponses };
  completePasskeySignIn: { data: T.CompletePasskeySignInData; responses: T.CompletePasskeySignInResponses };
  startPasskeySignIn: { data: T.StartPasskeySignInData; responses: T.StartPasskeySignInResponses };
  startWebAuthnChallenge: { data: T.StartWebAuthnChallengeData; responses: T.StartWebAuthnChallengeResponses };
  confirmWebAuthnChallenge: { data: T.ConfirmWebAuthnChallengeData; responses: T.ConfirmWebAuthnChallengeResponses };
  adminListWebAuthnCredentials: {
    data: T.AdminListWebAuthnCredentialsData;
    responses: T.AdminListWebAuthnCredentialsResponses;
  };
  adminRemoveWebAuthnCredential: {
    data: T.AdminRemoveWebAuthnCredentialData;
    responses: T.AdminRemoveWebAuthnCredentialResponses;
  };
  listHistory: { data: T.ListHistoryData; responses: T.ListHistoryResponses };
  getHistoryEntry: { data: T.GetHistoryEntryData; responses: T.GetHistoryEntryResponses };
  listTrustedDevices: { data: T.ListTrustedDevicesData; responses: T.ListTrustedDevicesResponses };
  forgetTrustedDevice: { data: T.ForgetTrustedDeviceData; responses: T.ForgetTrustedDeviceResponses };
  changePassword: { data: T.ChangePasswordData; responses: T.ChangePasswordResponses };
  listMySessions: { data: T.ListMySessionsData; responses: T.ListMySessionsResponses };
  revokeMySession: { data: T.RevokeMySessionData; responses: T.RevokeMySessionResponses };
  revokeAllMySessions: { data: T.RevokeAllMySessionsData; responses: T.RevokeAllMySessionsResponses };
  startEmailChange: { data: T.StartEmailChangeData; responses: T.StartEmailChangeResponses };
  startPhoneChange: { data: T.StartPhoneChangeData; responses: T.StartPhoneChangeResponses };
  getContactChange: { data: T.GetContactChangeData; responses: T.GetContactChangeResponses };
  confirmContactChange: { data: T.ConfirmContactChangeData; responses: T.ConfirmContactChangeResponses };
  setIssuer: { data: T.SetIssuerData; responses: T.SetIssuerResponses };
  adminListUsers: { data: T.AdminListUsersData; responses: T.AdminListUsersResponses };
  adminCreateUser: { data: T.AdminCreateUserData; responses: T.AdminCreateUserResponses };
  adminListUserFactors: { data: T.AdminListUserFactorsData; responses: T.AdminListUserFactorsResponses };
  adminResetTwoFactor: { data: T.AdminResetTwoFactorData; responses: T.AdminResetTwoFactorResponses };
  adminUnlockSecondFactor: { data: T.AdminUnlockSecondFactorData; responses: T.AdminUnlockSecondFactorResponses };
  adminLookUpUser: { data: T.AdminLookUpUserData; responses: T.AdminLookUpUserResponses };
  adminGetUser: { data: T.AdminGetUserData; responses: T.AdminGetUserResponses };
  adminUpdateUser: { data: T.AdminUpdateUserData; responses: T.AdminUpdateUserResponses };
  adminDeleteUser: { data: T.AdminDeleteUserData; responses: T.AdminDeleteUserResponses };
  adminDisableUser: { data: T.AdminDisableUserData; responses: T.AdminDisableUserResponses };
  adminEnableUser: { data: T.AdminEnableUserData; responses: T.AdminEnableUserResponses };
  adminExportTotp: { data: T.AdminExportTotpData; responses: T.AdminExportTotpResponses };
  adminImportTotp: { data: T.AdminImportTotpData; responses: T.AdminImportTotpResponses };
  adminSetUserIssuer: { data: T.AdminSetUserIssuerData; responses: T.AdminSetUserIssuerResponses };
  adminGetSystemIssuer: { data: T.AdminGetSystemIssuerData; responses: T.AdminGetSystemIssuerResponses };
  adminSetSystemIssuer: { data: T.AdminSetSystemIssuerData; responses: T.AdminSetSystemIssuerResponses };
  adminRotateSigningKey: { data: T.AdminRotateSigningKeyData; responses: T.AdminRotateSigningKeyResponses };
  adminListWebhooks: { data: T.AdminListWebhooksData; responses: T.AdminListWebhooksResponses };
  adminCreateWebhook: { data: T.AdminCreateWebhookData; responses: T.AdminCreateWebhookResponses };
  adminGetWebhook: { data: T.AdminGetWebhookData; responses: T.AdminGetWebhookResponses };
  adminUpdateWebhook: { data: T.AdminUpdateWebhookData; responses: T.AdminUpdateWebhookResponses };
  adminDeleteWebhook: { data: T.AdminDeleteWebhookData; responses: T.AdminDeleteWebhookResponses };
  adminRotateWebhookSecret: { data: T.AdminRotateWebhookSecretData; responses: T.AdminRotateWebhookSecretResponses };
  adminListWebhookDeliveries: {
    data: T.AdminListWebhookDeliveriesData;
    responses: T.AdminListWebhookDeliveriesResponses;
  };
  adminRedeliverWebhook: { data: T.AdminRedeliverWebhookData; responses: T.AdminRedeliverWebhookResponses };
  adminGetPolicy: { data: T.AdminGetPolicyData; responses: T.AdminGetPolicyResponses };
  adminUpdatePolicy: { data: T.AdminUpdatePolicyData; responses: T.AdminUpdatePolicyResponses };
  adminListHistory: { data: T.AdminListHistoryData; responses: T.AdminListHistoryResponses };
  adminGetHistoryEntry: { data: T.AdminGetHistoryEntryData; responses: T.AdminGetHistoryEntryResponses };
}
