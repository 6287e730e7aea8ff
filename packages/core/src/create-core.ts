import { AccountService } from './accounts/account-service.js';
import { PasswordService } from './accounts/password-service.js';
import { Reauthentication } from './accounts/reauthentication.js';
import { AccountAdminService } from './admin/account-admin-service.js';
import { AccountImportService } from './admin/account-import.js';
import { AdminService } from './admin/admin-service.js';
import { ApiTokenService } from './api-tokens/api-token-service.js';
import { AUDIT_SIGNING_KEYS, AuditTrail } from './audit/audit-trail.js';
import { Authorizer } from './auth/authorizer.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config/config.js';
import { assertSecretKeyMatches } from './crypto/key-check.js';
import { KeyRing } from './crypto/key-ring.js';
import { KeyedHasher } from './crypto/keyed-hash.js';
import { createArgon2PasswordHasher, type PasswordHasher } from './crypto/password-hasher.js';
import { SecretBox } from './crypto/secret-box.js';
import { DeliveredCodeService } from './delivery/delivered-code-service.js';
import type { Delivery } from './delivery/delivery-ports.js';
import { DestinationVerifications } from './destination-verification/destination-verifications.js';
import { VerifyServices } from './destination-verification/verify-services.js';
import { TrustedDeviceService } from './devices/trusted-device-service.js';
import { EntityChallenges } from './entity-challenges/entity-challenges.js';
import { FactorChanges } from './factors/factor-changes.js';
import { FactorService } from './factors/factor-service.js';
import { SecondFactorVerifier } from './factors/second-factor-verifier.js';
import { ChallengeFlow } from './flows/challenge/challenge.flow.js';
import { ContactChangeFlow } from './flows/contact-change/contact-change.flow.js';
import { DisableFlow } from './flows/disable/disable.flow.js';
import { EnableFlow } from './flows/enable/enable.flow.js';
import { FlowStore } from './flows/flow-store.js';
import { RecoveryFlow } from './flows/recovery/recovery.flow.js';
import { CodeMessenger } from './flows/shared/code-messenger.js';
import { PasskeySignIn } from './flows/sign-in/passkey-sign-in.js';
import { SignInFlow } from './flows/sign-in/sign-in.flow.js';
import { HistoryService } from './history/history-service.js';
import { DEFAULT_LOCKOUT_POLICY } from './lockout/lockout-policy.js';
import { SecondFactorGuard } from './lockout/second-factor-guard.js';
import { type Logger, silentLogger } from './logger.js';
import { BackupCodeService } from './methods/backup-codes/backup-code-service.js';
import { BackupCodeSets } from './methods/backup-codes/backup-code-sets.js';
import { backupCodesMethod } from './methods/backup-codes/backup-codes.method.js';
import { emailMethod } from './methods/email/email.method.js';
import { MethodRegistry } from './methods/method-registry.js';
import { smsMethod } from './methods/sms/sms.method.js';
import { totpMethod } from './methods/totp/totp.method.js';
import { webauthnMethod } from './methods/webauthn/webauthn.method.js';
import { WebAuthnCeremonies } from './methods/webauthn/webauthn-ceremonies.js';
import { WebAuthnCredentialService } from './methods/webauthn/webauthn-credential-service.js';
import { type CoreMetrics, noCoreMetrics } from './metrics/core-metrics.js';
import { NotificationService } from './notifications/notification-service.js';
import { PolicyService } from './policy/policy-service.js';
import { SecretKeyService } from './secret-keys/secret-key-service.js';
import { CookieSessionService, DEFAULT_COOKIE_SESSION_IDLE_SECONDS } from './sessions/cookie-session-service.js';
import { SessionManagement } from './sessions/session-management.js';
import { ACCESS_TOKEN_SECONDS, SessionService } from './sessions/session-service.js';
import { SigningKeyRotation, SigningKeys } from './sessions/signing-keys.js';
import { TokenIntrospection } from './sessions/token-introspection.js';
import { IssuerSettings } from './settings/issuer-settings.js';
import type { Storage } from './storage/repositories.js';
import { sealLegacyPhones, withSealedPhones } from './storage/sealed-phones.js';
import { SuccessTokenService } from './success-tokens/success-token-service.js';
import { KeyedLock } from './throttle/keyed-lock.js';
import { PasswordThrottle } from './throttle/password-throttle.js';
import { DEFAULT_PASSWORD_THROTTLE_POLICY } from './throttle/password-throttle-policy.js';
import { VerifyEntities } from './verify-entities/verify-entities.js';
import { fetchWebhookTransport } from './webhooks/fetch-webhook-transport.js';
import { DEFAULT_WEBHOOK_SECRET_OVERLAP_SECONDS, WebhookAdminService } from './webhooks/webhook-admin-service.js';
import {
  DEFAULT_WEBHOOK_DISPATCHER_SETTINGS,
  WebhookDispatcher,
  type WebhookDispatcherSettings,
} from './webhooks/webhook-dispatcher.js';
import { WebhookOutbox } from './webhooks/webhook-outbox.js';
import type { WebhookTransport } from './webhooks/webhook-transport.js';

export interface CoreDeps {
  storage: Storage;
  /** The current secret key: new values are sealed and hashed under it. */
  secretKey: Uint8Array;
  /** Keys it replaced (TESSERA_SECRET_KEY_PREVIOUS): values sealed or hashed under them still open and match. */
  previousSecretKeys?: readonly Uint8Array[];
  config: Pick<Config, 'issuer' | 'lockout' | 'deliveredCodes' | 'backupCodes'> &
    /** The defaults when left out (WebAuthn: off). */
    Partial<
      Pick<
        Config,
        'passwordThrottle' | 'recoveryLockout' | 'cookieSessionIdleSeconds' | 'signUp' | 'webauthn' | 'audit'
      >
    >;
  /** Where SMS and e-mail go (codes and security notices). */
  delivery: Delivery;
  clock?: Clock;
  logger?: Logger;
  passwordHasher?: PasswordHasher;
  /** Where the core reports what it decides (second-factor outcomes, lockouts). @default none kept */
  metrics?: CoreMetrics;
  /** How webhooks are sent and retried. @default HTTP with fetch, the default settings */
  webhooks?: {
    transport?: WebhookTransport;
    dispatcher?: Partial<WebhookDispatcherSettings>;
    /** Seconds a replaced signing secret keeps signing beside the new one. */
    secretOverlapSeconds?: number;
    /** In [0, 1): the retry jitter (tests pin it). */
    random?: () => number;
  };
}

/**
 * What every adapter (native API, dialects, CLI) calls. Every operation takes the Actor the
 * adapter built from its credentials; what the actor may do is decided here.
 */
export interface Core {
  accounts: AccountService;
  passwords: PasswordService;
  sessions: SessionService;
  /** A user's list of their sessions and remembered devices, and ending them. */
  mySessions: SessionManagement;
  /** cPanel's `/login` sessions: a cookie and a `cpsess` URL token. */
  cookieSessions: CookieSessionService;
  apiTokens: ApiTokenService;
  /** Rotating the key that signs access tokens (the old one verifies until its tokens expire). */
  signingKeys: SigningKeyRotation;
  /** Whether a token is live, for platforms that check tokens without calling the API (RFC 7662). */
  introspection: TokenIntrospection;
  factors: FactorService;
  signIn: SignInFlow;
  enable: EnableFlow;
  disable: DisableFlow;
  challenges: ChallengeFlow;
  /** A user changing their own e-mail address or phone number, confirmed by a code sent to the new one. */
  contactChanges: ContactChangeFlow;
  recovery: RecoveryFlow;
  /** Signing in with a passkey, without a password. */
  passkeys: PasskeySignIn;
  /** A user's security keys and passkeys one by one (list, rename, remove), and admins' view of them. */
  webauthnCredentials: WebAuthnCredentialService;
  backupCodes: BackupCodeSets;
  devices: TrustedDeviceService;
  history: HistoryService;
  policy: PolicyService;
  issuers: IssuerSettings;
  admin: AdminService;
  /** Accounts an admin manages: create, look up, contact details, disable, enable, delete. */
  userAdmin: AccountAdminService;
  /** Accounts brought from another system with their authenticator keys (`tessera users import`). */
  accountImport: AccountImportService;
  notifications: NotificationService;
  /** Who may do what; adapters that must refuse before validating a request ask it directly. */
  authorizer: Authorizer;
  /** The secret key ring's census and re-sealing (`tessera secret status` and `secret rotate`). */
  secretKeys: SecretKeyService;
  /** Verify services: namespaces of destination verifications and TOTP defaults (Twilio Verify). */
  verifyServices: VerifyServices;
  /** Codes to phone numbers and e-mail addresses that belong to no account. */
  destinationVerifications: DestinationVerifications;
  /** A platform's users' authenticators under a verify service (Twilio Verify's entities and factors). */
  verifyEntities: VerifyEntities;
  /** Code checks of a platform user's TOTP factor, kept to be fetched and listed. */
  entityChallenges: EntityChallenges;
  /** Admins' webhook endpoints, their secrets and deliveries. */
  webhooks: WebhookAdminService;
  /** Where events enter the webhook outbox, in the transaction of the change they report. */
  webhookOutbox: WebhookOutbox;
  /** Sends the outbox's due deliveries; each server process starts one. */
  webhookDispatcher: WebhookDispatcher;
  /** The hash-chained audit trail of security events, its signed checkpoints and its listing. */
  audit: AuditTrail;
  clock: Clock;
}

/** The setting that records that the keyed hashes stored before they were tagged have been tagged. */
const HASHES_TAGGED_SETTING = 'keyed_hashes_tagged';

/** Wires the core over a storage. Refuses a secret key other than the one the data was sealed with. */
export async function createCore(deps: CoreDeps): Promise<Core> {
  const { secretKey, config, delivery } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const ring = new KeyRing(secretKey, deps.previousSecretKeys ?? []);
  const secretBox = new SecretBox(ring);
  const databaseKeyId = await assertSecretKeyMatches(deps.storage, secretBox, clock.now());
  // Keyed hashes stored before they named their key were all made under the key the database
  // was created with, the one its check value still names until the first rotation: tagged once.
  if ((await deps.storage.settings.get(HASHES_TAGGED_SETTING)) === undefined) {
    const tagged = await deps.storage.secretKeys.tagUntaggedHashes(databaseKeyId);
    await deps.storage.settings.setIfAbsent(HASHES_TAGGED_SETTING, databaseKeyId);
    if (tagged > 0) logger.info({ count: tagged, keyId: databaseKeyId }, 'tagged keyed hashes with their key id');
  }
  // Account phone numbers are sealed at rest; numbers stored before that are sealed now.
  const storage = withSealedPhones(deps.storage, secretBox);
  const resealed = await sealLegacyPhones(deps.storage.users, secretBox);
  if (resealed > 0) logger.info({ count: resealed }, 'sealed phone numbers stored in clear');

  const hasher = new KeyedHasher(ring);
  const passwordHasher = deps.passwordHasher ?? createArgon2PasswordHasher();
  // The policy service needs the authorizer and the authorizer asks the policy: the late-bound
  // call breaks the cycle.
  const authorizer: Authorizer = new Authorizer({ assertSatisfiedBy: (userId) => policy.assertSatisfiedBy(userId) });
  const signingKeys = new SigningKeys({
    settings: storage.settings,
    secretBox,
    clock,
    keepRetiredSeconds: ACCESS_TOKEN_SECONDS,
  });
  const audit = new AuditTrail({
    audit: storage.audit,
    clock,
    // Kept for ever once retired: a checkpoint signed years ago must still verify.
    keys: new SigningKeys({
      settings: storage.settings,
      secretBox,
      clock,
      keepRetiredSeconds: Number.POSITIVE_INFINITY,
      purpose: AUDIT_SIGNING_KEYS,
    }),
    authorizer,
    logger,
    retentionDays: config.audit?.retentionDays,
  });
  const sessions = new SessionService(storage.sessions, hasher, clock, signingKeys, audit);
  const history: HistoryService = new HistoryService({ history: storage.history, clock, authorizer, audit, storage });
  const issuers = new IssuerSettings(storage.settings, storage.users, config.issuer, authorizer, audit);
  const policy: PolicyService = new PolicyService({
    settings: storage.settings,
    factors: storage.factors,
    users: storage.users,
    history,
    clock,
    authorizer,
  });
  const notifications = new NotificationService({
    email: delivery.email,
    logger,
    issuer: () => issuers.systemIssuer(),
    findUser: (userId) => storage.users.findById(userId),
  });
  const passwordThrottle = new PasswordThrottle(
    storage.throttles,
    config.passwordThrottle ?? DEFAULT_PASSWORD_THROTTLE_POLICY,
    clock,
    deps.metrics ?? noCoreMetrics,
  );
  const webhookOutbox = new WebhookOutbox({ clock });
  const changes = new FactorChanges({ history, notifications, users: storage.users, storage, outbox: webhookOutbox });
  const guard = new SecondFactorGuard(storage.lockouts, config.lockout, clock);
  const backupCodeService = new BackupCodeService({
    codes: storage.backupCodes,
    factors: storage.factors,
    hasher,
    clock,
    policy: config.backupCodes,
    storage,
    outbox: webhookOutbox,
  });
  const deliveredCodes = new DeliveredCodeService({
    codes: storage.deliveredCodes,
    delivery,
    hasher,
    clock,
    logger,
    policy: config.deliveredCodes,
    metrics: deps.metrics ?? noCoreMetrics,
  });
  const successTokens = new SuccessTokenService({ tokens: storage.successTokens, hasher, clock });
  const webauthnCeremonies = config.webauthn
    ? new WebAuthnCeremonies({ settings: config.webauthn, challenges: storage.webauthnChallenges, clock })
    : undefined;
  const methods = new MethodRegistry({
    totp: totpMethod({ secretBox, factors: storage.factors }),
    sms: smsMethod({ secretBox, deliveredCodes, factors: storage.factors, successTokens }),
    email: emailMethod({ deliveredCodes }),
    backup_codes: backupCodesMethod({ backupCodes: backupCodeService }),
    webauthn: webauthnMethod({
      ceremonies: webauthnCeremonies,
      credentials: storage.webauthnCredentials,
      clock,
      logger,
      // A possible clone stays in the history beside the key's other changes.
      onCloneSuspected: async (credential) => {
        await storage.transaction(async (tx) => {
          await history.record(
            {
              userId: credential.userId,
              method: 'webauthn',
              action: 'update',
              enabled: true,
              details: { event: 'sign_count_regressed', credential: credential.id, name: credential.name },
            },
            { actor: 'system', actorId: null, clientIp: null },
            tx,
          );
          await webhookOutbox.enqueue(tx, {
            type: 'webauthn.clone_warning',
            userId: credential.userId,
            data: { credentialId: credential.id, name: credential.name },
          });
        });
      },
    }),
  });
  const verifier = new SecondFactorVerifier({
    factors: storage.factors,
    methods,
    guard,
    deliveredCodes,
    notifications,
    clock,
    logger,
    metrics: deps.metrics ?? noCoreMetrics,
    storage,
    outbox: webhookOutbox,
    audit,
  });
  const accounts = new AccountService({
    users: storage.users,
    factors: storage.factors,
    verifier,
    passwords: passwordHasher,
    clock,
    authorizer,
    throttle: passwordThrottle,
    hasher,
    notifications,
    audit,
    // Closed unless asked for: a server put on the internet does not take strangers' accounts.
    signUp: config.signUp ?? 'closed',
  });
  const flows = new FlowStore(storage.flows, clock);
  const messenger = new CodeMessenger({ deliveredCodes, issuers });
  const devices = new TrustedDeviceService({
    devices: storage.trustedDevices,
    hasher,
    clock,
    authorizer,
    storage,
    outbox: webhookOutbox,
  });

  const reauthentication = new Reauthentication({
    accounts,
    factors: storage.factors,
    methods,
    verifier,
    successTokens,
  });

  const verifyServices = new VerifyServices({ services: storage.verifyServices, authorizer, clock });

  const factors = new FactorService({
    factors: storage.factors,
    backupCodes: storage.backupCodes,
    methods,
    verifier,
    policy,
    authorizer,
    issuers,
    users: storage.users,
    clock,
  });

  const apiTokens = new ApiTokenService(storage.apiTokens, hasher, clock, authorizer, storage.sessions, audit);

  const core: Omit<Core, 'verifyEntities' | 'entityChallenges'> = {
    accounts,
    passwords: new PasswordService({
      storage,
      passwords: passwordHasher,
      successTokens,
      notifications,
      reauthentication,
      authorizer,
      history,
      clock,
      audit,
    }),
    sessions,
    mySessions: new SessionManagement({ sessions: storage.sessions, devices, authorizer, clock, audit }),
    cookieSessions: new CookieSessionService({
      sessions: storage.sessions,
      users: storage.users,
      accounts,
      hasher,
      clock,
      idleSeconds: config.cookieSessionIdleSeconds ?? DEFAULT_COOKIE_SESSION_IDLE_SECONDS,
    }),
    apiTokens,
    signingKeys: new SigningKeyRotation({ keys: signingKeys, authorizer, audit }),
    introspection: new TokenIntrospection({ sessions, apiTokens, users: storage.users, authorizer }),
    factors,
    signIn: new SignInFlow({
      accounts,
      factors: storage.factors,
      verifier,
      sessions,
      flows,
      methods,
      messenger,
      devices,
      policy,
      audit,
    }),
    enable: new EnableFlow({
      storage,
      flows,
      methods,
      verifier,
      messenger,
      backupCodes: backupCodeService,
      changes,
      policy,
      issuers,
      authorizer,
      secretBox,
      clock,
      logger,
    }),
    disable: new DisableFlow({
      storage,
      flows,
      methods,
      verifier,
      messenger,
      successTokens,
      accounts,
      changes,
      authorizer,
      logger,
    }),
    contactChanges: new ContactChangeFlow({
      storage,
      flows,
      messenger,
      deliveredCodes,
      reauthentication,
      history,
      notifications,
      authorizer,
      secretBox,
    }),
    passkeys: new PasskeySignIn({
      ceremonies: webauthnCeremonies,
      credentials: storage.webauthnCredentials,
      factors: storage.factors,
      verifier,
      accounts,
      sessions,
      policy,
      audit,
    }),
    webauthnCredentials: new WebAuthnCredentialService({ storage, methods, successTokens, changes, authorizer }),
    challenges: new ChallengeFlow({ storage, flows, methods, verifier, messenger, successTokens, authorizer }),
    recovery: new RecoveryFlow({
      flows,
      users: storage.users,
      lock: new KeyedLock(storage.throttles, config.recoveryLockout ?? DEFAULT_LOCKOUT_POLICY, clock),
      throttles: storage.throttles,
      deliveredCodes,
      messenger,
      notifications,
      successTokens,
      issuers,
      hasher,
      clock,
      logger,
    }),
    backupCodes: new BackupCodeSets({
      backupCodes: backupCodeService,
      factors: storage.factors,
      successTokens,
      changes,
      authorizer,
    }),
    devices,
    history,
    policy,
    issuers,
    admin: new AdminService({ storage, changes, issuers, authorizer, secretBox, clock, guard }),
    userAdmin: new AccountAdminService({
      storage,
      accounts,
      apiTokens,
      history,
      authorizer,
      guard,
      hasher,
      clock,
      notifications,
    }),
    accountImport: new AccountImportService({ storage, accounts, history, authorizer, secretBox, clock }),
    notifications,
    authorizer,
    secretKeys: new SecretKeyService({ storage: deps.storage, secretBox, clock, logger, audit }),
    verifyServices,
    destinationVerifications: new DestinationVerifications({
      verifications: storage.destinationVerifications,
      services: verifyServices,
      deliveredCodes,
      history,
      hasher,
      secretBox,
      clock,
    }),
    webhooks: new WebhookAdminService({
      webhooks: storage.webhooks,
      secretBox,
      authorizer,
      clock,
      secretOverlapSeconds: deps.webhooks?.secretOverlapSeconds ?? DEFAULT_WEBHOOK_SECRET_OVERLAP_SECONDS,
    }),
    webhookOutbox,
    webhookDispatcher: new WebhookDispatcher({
      webhooks: storage.webhooks,
      transport: deps.webhooks?.transport ?? fetchWebhookTransport,
      secretBox,
      clock,
      logger,
      settings: { ...DEFAULT_WEBHOOK_DISPATCHER_SETTINGS, ...deps.webhooks?.dispatcher },
      metrics: deps.metrics ?? noCoreMetrics,
      ...(deps.webhooks?.random ? { random: deps.webhooks.random } : {}),
    }),
    audit,
    clock,
  };
  const verifyEntities = new VerifyEntities({
    services: verifyServices,
    userAdmin: core.userAdmin,
    users: storage.users,
    enable: core.enable,
    factors,
    admin: core.admin,
  });
  return {
    ...core,
    verifyEntities,
    entityChallenges: new EntityChallenges({
      challenges: storage.entityChallenges,
      entities: verifyEntities,
      factors,
      authorizer,
      clock,
    }),
  };
}
