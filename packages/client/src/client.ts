import type { OperationId } from './generated/operations.gen.js';
import {
  type BodyOf,
  type CallInput,
  type PathOf,
  type QueryOf,
  type ResultOf,
  type Tokens,
  Transport,
  type TransportOptions,
} from './transport.js';

export interface TesseraClientOptions extends TransportOptions {
  /**
   * An API token (`tsa_…`) for server-to-server calls such as `verify`: sent as the bearer
   * token, never refreshed. The same as `tokens: { accessToken: apiToken }`.
   */
  apiToken?: string;
}

type Call = <Id extends OperationId>(id: Id, input?: CallInput) => Promise<ResultOf<Id>>;

/**
 * Tessera's native API, one method per operation, grouped by subject. Every method resolves to
 * the operation's success body and rejects with a TesseraError carrying the stable code.
 *
 * Signing in (`auth.signIn` without a second factor, `auth.secondFactor`) and `auth.refresh`
 * keep the tokens they answer; `auth.signOut` forgets them. `onTokens` hears every change, so
 * an application can persist the tokens where it likes.
 */
export class TesseraClient {
  readonly #transport: Transport;

  constructor(options: TesseraClientOptions) {
    const { apiToken, ...transport } = options;
    this.#transport = new Transport(
      apiToken === undefined ? transport : { ...transport, tokens: { accessToken: apiToken } },
    );
    const call: Call = (id, input) => this.#transport.call(id, input);
    const keep = async (tokens: { accessToken: string; refreshToken: string }) => {
      await this.#transport.setTokens({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
    };

    this.system = {
      /** GET /health: the process answers. */
      health: () => call('getHealth'),
      /** GET /ready: the database answers and its schema is current (503 NOT_READY otherwise). */
      readiness: () => call('getReadiness'),
      /** GET /.well-known/jwks.json: the public keys that sign access tokens. */
      jwks: () => call('getJwks'),
    };

    this.auth = {
      /** POST /api/v1/users: creates an account (when sign-up is open). */
      signUp: (body: BodyOf<'signUp'>) => call('signUp', { body }),
      /**
       * POST /api/v1/auth/sign-in: signed in (the tokens are kept), or a second factor is
       * needed (`status: 'second_factor_required'` with a flowId for `secondFactor`).
       */
      signIn: async (body: BodyOf<'signIn'>) => {
        const result = await call('signIn', { body });
        if (result.status === 'signed_in') await keep(result);
        return result;
      },
      /** POST /api/v1/auth/sign-in/{flowId}/method: picks the method (an SMS or e-mail code is sent). */
      selectMethod: (flowId: string, body: BodyOf<'selectSignInMethod'>) =>
        call('selectSignInMethod', { path: { flowId }, body }),
      /** POST /api/v1/auth/sign-in/{flowId}/second-factor: the code; the tokens are kept. */
      secondFactor: async (flowId: string, body: BodyOf<'completeSignIn'>) => {
        const result = await call('completeSignIn', { path: { flowId }, body });
        await keep(result);
        return result;
      },
      /** POST /api/v1/auth/refresh with the kept refresh token; the new tokens are kept. */
      refresh: async (): Promise<Tokens> => {
        await this.#transport.refresh();
        return this.#transport.tokens as Tokens;
      },
      /** POST /api/v1/auth/sign-out: ends the session; the tokens are forgotten. */
      signOut: async () => {
        await call('signOut');
        await this.#transport.setTokens(null);
      },
      /** POST /api/v1/auth/introspect (RFC 7662): whether a token is active, for resource servers. */
      introspect: (body: BodyOf<'introspectToken'>) => call('introspectToken', { body }),
      /** POST /api/v1/auth/recovery: sends a recovery code to the account's address. */
      startRecovery: (body: BodyOf<'startRecovery'>) => call('startRecovery', { body }),
      /** POST /api/v1/auth/recovery/{challengeId}/confirm: the code, for a success token. */
      confirmRecovery: (challengeId: string, body: BodyOf<'confirmRecovery'>) =>
        call('confirmRecovery', { path: { challengeId }, body }),
      /** POST /api/v1/auth/password-reset: a new password with a recovery success token. */
      resetPassword: (body: BodyOf<'resetPassword'>) => call('resetPassword', { body }),
    };

    this.me = {
      /** GET /api/v1/me: the account and its factors. */
      get: () => call('getAccount'),
      /** POST /api/v1/me/password. */
      changePassword: (body: BodyOf<'changePassword'>) => call('changePassword', { body }),
      /** PUT /api/v1/me/issuer: the issuer name authenticator apps show. */
      setIssuer: (body: BodyOf<'setIssuer'>) => call('setIssuer', { body }),
      /** POST /api/v1/me/email: starts an e-mail change (a code goes to the new address). */
      changeEmail: (body: BodyOf<'startEmailChange'>) => call('startEmailChange', { body }),
      /** POST /api/v1/me/phone: starts a phone change (a code goes to the new number). */
      changePhone: (body: BodyOf<'startPhoneChange'>) => call('startPhoneChange', { body }),
      /** GET /api/v1/me/contact-changes/{changeId}. */
      getContactChange: (changeId: string) => call('getContactChange', { path: { changeId } }),
      /** POST /api/v1/me/contact-changes/{changeId}/confirm: the code sent to the new address. */
      confirmContactChange: (changeId: string, body: BodyOf<'confirmContactChange'>) =>
        call('confirmContactChange', { path: { changeId }, body }),
    };

    this.factors = {
      /** GET /api/v1/me/factors. */
      list: () => call('listFactors'),
      /** POST /api/v1/me/factors/totp: a pending authenticator, its secret and otpauth URI. */
      enrollTotp: (body: BodyOf<'beginTotpEnrollment'> = {}) => call('beginTotpEnrollment', { body }),
      /** POST /api/v1/me/factors/{factorId}/confirm: the first code activates the factor. */
      confirm: (factorId: string, body: BodyOf<'confirmFactor'>) => call('confirmFactor', { path: { factorId }, body }),
      /**
       * POST /api/v1/me/factors/{factorId}/use-default-settings: a pending authenticator whose app
       * ignored the asked-for settings (TOTP_SETTINGS_IGNORED) moves to SHA1/6/30, same key.
       */
      useDefaultSettings: (factorId: string) => call('useDefaultTotpSettings', { path: { factorId } }),
      /** DELETE /api/v1/me/factors/{factorId} (an active factor needs a code). */
      delete: (factorId: string, body: BodyOf<'deleteFactor'> = {}) =>
        call('deleteFactor', { path: { factorId }, body }),
      /** POST /api/v1/me/verify: checks a code of the signed-in account. */
      verify: (body: BodyOf<'verifyCode'>) => call('verifyCode', { body }),
    };

    this.apiTokens = {
      /** GET /api/v1/me/api-tokens. */
      list: () => call('listApiTokens'),
      /** POST /api/v1/me/api-tokens: the token itself is in the answer, once. */
      create: (body: BodyOf<'createApiToken'>) => call('createApiToken', { body }),
      /** DELETE /api/v1/me/api-tokens/{tokenId}. */
      revoke: (tokenId: string) => call('revokeApiToken', { path: { tokenId } }),
    };

    this.verify = (body: BodyOf<'verifyUserCode'>) => call('verifyUserCode', { body });

    this.webauthn = {
      /** POST /api/v1/me/2fa/webauthn/registration: options for `navigator.credentials.create()`. */
      startRegistration: () => call('startWebAuthnRegistration'),
      /** POST /api/v1/me/2fa/webauthn/registration/{flowId}: the browser's answer; your keys after. */
      finishRegistration: (flowId: string, body: BodyOf<'finishWebAuthnRegistration'>) =>
        call('finishWebAuthnRegistration', { path: { flowId }, body }),
      /** GET /api/v1/me/2fa/webauthn/credentials: your security keys and passkeys. */
      list: () => call('listWebAuthnCredentials'),
      /** PATCH /api/v1/me/2fa/webauthn/credentials/{credentialId}. */
      rename: (credentialId: string, body: BodyOf<'renameWebAuthnCredential'>) =>
        call('renameWebAuthnCredential', { path: { credentialId }, body }),
      /** DELETE /api/v1/me/2fa/webauthn/credentials/{credentialId}, with a success token for it. */
      remove: (credentialId: string, body: BodyOf<'removeWebAuthnCredential'>) =>
        call('removeWebAuthnCredential', { path: { credentialId }, body }),
      /** POST /api/v1/me/2fa/webauthn/challenges: a step-up answered by a key. */
      startChallenge: (body: BodyOf<'startWebAuthnChallenge'>) => call('startWebAuthnChallenge', { body }),
      /** POST /api/v1/me/2fa/webauthn/challenges/{challengeId}: the assertion; a success token. */
      confirmChallenge: (challengeId: string, body: BodyOf<'confirmWebAuthnChallenge'>) =>
        call('confirmWebAuthnChallenge', { path: { challengeId }, body }),
      /** POST /api/v1/auth/sign-in/{flowId}/webauthn/options: the second-factor step with a key. */
      signInOptions: (flowId: string) => call('startWebAuthnSignInStep', { path: { flowId } }),
      /** POST /api/v1/auth/sign-in/{flowId}/webauthn: the assertion; the tokens are kept. */
      signIn: async (flowId: string, body: BodyOf<'completeWebAuthnSignInStep'>) => {
        const result = await call('completeWebAuthnSignInStep', { path: { flowId }, body });
        await keep(result);
        return result;
      },
      /** GET /api/v1/auth/passkey: whether passkeys sign in here (before offering them or autofill). */
      passkeyAvailability: () => call('getPasskeyAvailability'),
      /** POST /api/v1/auth/passkey/options: options for a passkey sign-in without a username. */
      passkeyOptions: () => call('startPasskeySignIn'),
      /** POST /api/v1/auth/passkey: signs in with the passkey alone; the tokens are kept. */
      passkeySignIn: async (body: BodyOf<'completePasskeySignIn'>) => {
        const result = await call('completePasskeySignIn', { body });
        await keep(result);
        return result;
      },
      /** GET /api/v1/admin/users/{userId}/webauthn/credentials (admins). */
      listFor: (userId: string) => call('adminListWebAuthnCredentials', { path: { userId } }),
      /** DELETE /api/v1/admin/users/{userId}/webauthn/credentials/{credentialId} (admins). */
      removeFor: (userId: string, credentialId: string) =>
        call('adminRemoveWebAuthnCredential', { path: { userId, credentialId } }),
    };

    this.twoFactor = {
      /** GET /api/v1/me/2fa: which methods are active, allowed and required. */
      status: () => call('getTwoFactorStatus'),
      /** POST /api/v1/me/2fa/enable: starts enabling a method. */
      enable: (body: BodyOf<'startEnable'>) => call('startEnable', { body }),
      /** GET /api/v1/me/2fa/enable/{flowId}. */
      getEnable: (flowId: string) => call('getEnable', { path: { flowId } }),
      /** POST /api/v1/me/2fa/enable/{flowId}/confirm: the code; backup codes come with the first method. */
      confirmEnable: (flowId: string, body: BodyOf<'confirmEnable'>) =>
        call('confirmEnable', { path: { flowId }, body }),
      /** POST /api/v1/me/2fa/enable/{flowId}/resend. */
      resendEnable: (flowId: string) => call('resendEnableCode', { path: { flowId } }),
      /** POST /api/v1/me/2fa/disable: starts disabling a method. */
      disable: (body: BodyOf<'startDisable'>) => call('startDisable', { body }),
      /** POST /api/v1/me/2fa/disable/{flowId}/confirm. */
      confirmDisable: (flowId: string, body: BodyOf<'confirmDisable'>) =>
        call('confirmDisable', { path: { flowId }, body }),
      /** POST /api/v1/me/2fa/disable/{flowId}/resend. */
      resendDisable: (flowId: string) => call('resendDisableCode', { path: { flowId } }),
    };

    this.challenges = {
      /** POST /api/v1/me/2fa/challenges: asks for a code before a sensitive operation. */
      start: (body: BodyOf<'startChallenge'>) => call('startChallenge', { body }),
      /** GET /api/v1/me/2fa/challenges/{challengeId}. */
      get: (challengeId: string) => call('getChallenge', { path: { challengeId } }),
      /** POST /api/v1/me/2fa/challenges/{challengeId}/confirm: the code, for a success token. */
      confirm: (challengeId: string, body: BodyOf<'confirmChallenge'>) =>
        call('confirmChallenge', { path: { challengeId }, body }),
    };

    this.backupCodes = {
      /** GET /api/v1/me/2fa/backup-codes: how many are left. */
      status: () => call('getBackupCodeStatus'),
      /** POST /api/v1/me/2fa/backup-codes/regenerate: a new set (needs a success token). */
      regenerate: (body: BodyOf<'regenerateBackupCodes'>) => call('regenerateBackupCodes', { body }),
    };

    this.history = {
      /** GET /api/v1/me/2fa/history: the account's 2FA events, filtered and paged. */
      list: (query: QueryOf<'listHistory'> = {}) => call('listHistory', { query }),
      /** GET /api/v1/me/2fa/history/{entryId}. */
      get: (entryId: string) => call('getHistoryEntry', { path: { entryId } }),
    };

    this.devices = {
      /** GET /api/v1/me/devices: the remembered devices. */
      list: () => call('listTrustedDevices'),
      /** DELETE /api/v1/me/devices/{deviceId}. */
      forget: (deviceId: string) => call('forgetTrustedDevice', { path: { deviceId } }),
    };

    this.sessions = {
      /** GET /api/v1/me/sessions. */
      list: () => call('listMySessions'),
      /** DELETE /api/v1/me/sessions/{sessionId}. */
      revoke: (sessionId: string) => call('revokeMySession', { path: { sessionId } }),
      /** POST /api/v1/me/sessions/revoke-all (keepCurrent keeps this one). */
      revokeAll: (body: BodyOf<'revokeAllMySessions'> = {}) => call('revokeAllMySessions', { body }),
    };

    const user = (userId: string): PathOf<'adminGetUser'> => ({ userId });
    this.admin = {
      users: {
        /** GET /api/v1/admin/users. */
        list: (query: QueryOf<'adminListUsers'> = {}) => call('adminListUsers', { query }),
        /** POST /api/v1/admin/users. */
        create: (body: BodyOf<'adminCreateUser'>) => call('adminCreateUser', { body }),
        /** GET /api/v1/admin/users/lookup: by username or by externalId. */
        lookup: (query: QueryOf<'adminLookUpUser'>) => call('adminLookUpUser', { query }),
        /** GET /api/v1/admin/users/{userId}. */
        get: (userId: string) => call('adminGetUser', { path: user(userId) }),
        /** PATCH /api/v1/admin/users/{userId}. */
        update: (userId: string, body: BodyOf<'adminUpdateUser'>) =>
          call('adminUpdateUser', { path: user(userId), body }),
        /** DELETE /api/v1/admin/users/{userId}. */
        delete: (userId: string) => call('adminDeleteUser', { path: user(userId) }),
        /** POST /api/v1/admin/users/{userId}/disable: no sign-in, no verify. */
        disable: (userId: string) => call('adminDisableUser', { path: user(userId) }),
        /** POST /api/v1/admin/users/{userId}/enable. */
        enable: (userId: string) => call('adminEnableUser', { path: user(userId) }),
        /** GET /api/v1/admin/users/{userId}/factors. */
        factors: (userId: string) => call('adminListUserFactors', { path: user(userId) }),
        /** DELETE /api/v1/admin/users/{userId}/2fa: removes every second factor. */
        reset: (userId: string) => call('adminResetTwoFactor', { path: user(userId) }),
        /** POST /api/v1/admin/users/{userId}/2fa/unlock: lifts a second-factor lockout. */
        unlock: (userId: string) => call('adminUnlockSecondFactor', { path: user(userId) }),
        /** POST /api/v1/admin/users/{userId}/2fa/totp/export: the authenticator's secret, for a migration. */
        exportTotp: (userId: string) => call('adminExportTotp', { path: user(userId) }),
        /** POST /api/v1/admin/users/{userId}/2fa/totp/import: an authenticator from elsewhere. */
        importTotp: (userId: string, body: BodyOf<'adminImportTotp'>) =>
          call('adminImportTotp', { path: user(userId), body }),
        /** PUT /api/v1/admin/users/{userId}/issuer. */
        setIssuer: (userId: string, body: BodyOf<'adminSetUserIssuer'>) =>
          call('adminSetUserIssuer', { path: user(userId), body }),
      },
      settings: {
        /** GET /api/v1/admin/settings/issuer: the system-wide issuer. */
        getIssuer: () => call('adminGetSystemIssuer'),
        /** PUT /api/v1/admin/settings/issuer. */
        setIssuer: (body: BodyOf<'adminSetSystemIssuer'>) => call('adminSetSystemIssuer', { body }),
        /** POST /api/v1/admin/settings/signing-keys/rotate: a new key signs access tokens from now on. */
        rotateSigningKey: () => call('adminRotateSigningKey'),
      },
      policy: {
        /** GET /api/v1/admin/policy: the 2FA policy. */
        get: () => call('adminGetPolicy'),
        /** PUT /api/v1/admin/policy. */
        update: (body: BodyOf<'adminUpdatePolicy'>) => call('adminUpdatePolicy', { body }),
      },
      history: {
        /** GET /api/v1/admin/history: every account's 2FA events. */
        list: (query: QueryOf<'adminListHistory'> = {}) => call('adminListHistory', { query }),
        /** GET /api/v1/admin/history/{entryId}. */
        get: (entryId: string) => call('adminGetHistoryEntry', { path: { entryId } }),
      },
      webhooks: {
        /** POST /api/v1/admin/webhooks: the endpoint and its signing secret, shown only in this answer. */
        create: (body: BodyOf<'adminCreateWebhook'>) => call('adminCreateWebhook', { body }),
        /** GET /api/v1/admin/webhooks. */
        list: () => call('adminListWebhooks'),
        /** GET /api/v1/admin/webhooks/{webhookId}. */
        get: (webhookId: string) => call('adminGetWebhook', { path: { webhookId } }),
        /** PATCH /api/v1/admin/webhooks/{webhookId}: `enabled: true` switches it on again. */
        update: (webhookId: string, body: BodyOf<'adminUpdateWebhook'>) =>
          call('adminUpdateWebhook', { path: { webhookId }, body }),
        /** DELETE /api/v1/admin/webhooks/{webhookId}. */
        delete: (webhookId: string) => call('adminDeleteWebhook', { path: { webhookId } }),
        /** POST /api/v1/admin/webhooks/{webhookId}/rotate-secret: the old secret signs beside the new one for a while. */
        rotateSecret: (webhookId: string) => call('adminRotateWebhookSecret', { path: { webhookId } }),
        /** GET /api/v1/admin/webhooks/{webhookId}/deliveries: newest first, with every attempt. */
        deliveries: (webhookId: string, query: QueryOf<'adminListWebhookDeliveries'> = {}) =>
          call('adminListWebhookDeliveries', { path: { webhookId }, query }),
        /** POST /api/v1/admin/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver. */
        redeliver: (webhookId: string, deliveryId: string) =>
          call('adminRedeliverWebhook', { path: { webhookId, deliveryId } }),
      },
    };
  }

  /** The tokens the client sends now (null when signed out). */
  get tokens(): Tokens | null {
    return this.#transport.tokens;
  }

  /** Replaces the tokens (ones persisted earlier, say); `onTokens` hears it. */
  setTokens(tokens: Tokens | null): Promise<void> {
    return this.#transport.setTokens(tokens);
  }

  readonly system;
  readonly auth;
  readonly me;
  readonly factors;
  readonly apiTokens;
  /** POST /api/v1/verify: server to server, with an API token: checks a user's code. */
  readonly verify;
  readonly twoFactor;
  /** Security keys and passkeys: registration, sign-in, step-up, each key; admins' view. */
  readonly webauthn;
  readonly challenges;
  readonly backupCodes;
  readonly history;
  readonly devices;
  readonly sessions;
  readonly admin;
}
