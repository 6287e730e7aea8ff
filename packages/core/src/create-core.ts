import { AccountService } from './accounts/account-service.js';
import { PasswordService } from './accounts/password-service.js';
import { AdminService } from './admin/admin-service.js';
import { ApiTokenService } from './api-tokens/api-token-service.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config/config.js';
import { assertSecretKeyMatches } from './crypto/key-check.js';
import { KeyedHasher } from './crypto/keyed-hash.js';
import { createArgon2PasswordHasher, type PasswordHasher } from './crypto/password-hasher.js';
import { SecretBox } from './crypto/secret-box.js';
import { DeliveredCodeService } from './delivery/delivered-code-service.js';
import type { Delivery } from './delivery/delivery-ports.js';
import { TrustedDeviceService } from './devices/trusted-device-service.js';
import { FactorChanges } from './factors/factor-changes.js';
import { FactorService } from './factors/factor-service.js';
import { SecondFactorVerifier } from './factors/second-factor-verifier.js';
import { ChallengeFlow } from './flows/challenge/challenge.flow.js';
import { DisableFlow } from './flows/disable/disable.flow.js';
import { EnableFlow } from './flows/enable/enable.flow.js';
import { FlowStore } from './flows/flow-store.js';
import { SignInFlow } from './flows/sign-in/sign-in.flow.js';
import { HistoryService } from './history/history-service.js';
import { SecondFactorGuard } from './lockout/second-factor-guard.js';
import { type Logger, silentLogger } from './logger.js';
import { BackupCodeRegeneration } from './methods/backup-codes/backup-code-regeneration.js';
import { BackupCodeService } from './methods/backup-codes/backup-code-service.js';
import { totpMethod } from './methods/totp/totp.method.js';
import { NotificationService } from './notifications/notification-service.js';
import { PolicyService } from './policy/policy-service.js';
import { SessionService } from './sessions/session-service.js';
import { IssuerSettings } from './settings/issuer-settings.js';
import type { Storage } from './storage/repositories.js';
import { SuccessTokenService } from './success-tokens/success-token-service.js';

export interface CoreDeps {
  storage: Storage;
  secretKey: Uint8Array;
  config: Pick<Config, 'issuer' | 'lockout' | 'deliveredCodes' | 'backupCodes'>;
  /** Where SMS and e-mail go (codes and security notices). */
  delivery: Delivery;
  clock?: Clock;
  logger?: Logger;
  passwordHasher?: PasswordHasher;
}

/** What every adapter (native API, dialects, CLI) calls. */
export interface Core {
  accounts: AccountService;
  passwords: PasswordService;
  sessions: SessionService;
  apiTokens: ApiTokenService;
  factors: FactorService;
  signIn: SignInFlow;
  enable: EnableFlow;
  disable: DisableFlow;
  challenges: ChallengeFlow;
  backupCodes: BackupCodeRegeneration;
  devices: TrustedDeviceService;
  history: HistoryService;
  policy: PolicyService;
  issuers: IssuerSettings;
  admin: AdminService;
  notifications: NotificationService;
  clock: Clock;
}

/** Wires the core over a storage. Refuses a secret key other than the one the data was sealed with. */
export async function createCore(deps: CoreDeps): Promise<Core> {
  const { storage, secretKey, config, delivery } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const secretBox = new SecretBox(secretKey);
  await assertSecretKeyMatches(storage.settings, secretBox);

  const hasher = new KeyedHasher(secretKey);
  const passwordHasher = deps.passwordHasher ?? createArgon2PasswordHasher();
  const accounts = new AccountService(storage.users, passwordHasher, clock);
  const sessions = new SessionService(storage.sessions, hasher, clock, secretKey);
  const issuers = new IssuerSettings(storage.settings, storage.users, config.issuer);
  const history = new HistoryService({ history: storage.history, clock });
  const policy = new PolicyService({ settings: storage.settings, factors: storage.factors, history, clock });
  const notifications = new NotificationService({
    email: delivery.email,
    logger,
    issuer: () => issuers.systemIssuer(),
    findUser: (userId) => storage.users.findById(userId),
  });
  const changes = new FactorChanges({ history, notifications, users: storage.users });
  const guard = new SecondFactorGuard(storage.lockouts, config.lockout, clock);
  const totp = totpMethod(secretBox);
  const backupCodeService = new BackupCodeService({
    codes: storage.backupCodes,
    factors: storage.factors,
    hasher,
    clock,
    policy: config.backupCodes,
  });
  const deliveredCodes = new DeliveredCodeService({
    codes: storage.deliveredCodes,
    delivery,
    hasher,
    clock,
    logger,
    policy: config.deliveredCodes,
  });
  const verifier = new SecondFactorVerifier({
    factors: storage.factors,
    guard,
    totp,
    backupCodes: backupCodeService,
    deliveredCodes,
    notifications,
    clock,
    logger,
  });
  const factors = new FactorService({
    factors: storage.factors,
    users: storage.users,
    issuers,
    policy,
    verifier,
    changes,
    totp,
    clock,
    logger,
  });
  const flows = new FlowStore(storage.flows, clock);
  const successTokens = new SuccessTokenService({ tokens: storage.successTokens, hasher, clock });
  const devices = new TrustedDeviceService({ devices: storage.trustedDevices, hasher, clock });
  const common = { flows, factors: storage.factors, users: storage.users, verifier, secretBox, issuers };

  return {
    accounts,
    passwords: new PasswordService({
      users: storage.users,
      passwords: passwordHasher,
      successTokens,
      devices,
      notifications,
    }),
    sessions,
    apiTokens: new ApiTokenService(storage.apiTokens, hasher, clock),
    factors,
    signIn: new SignInFlow({
      ...common,
      accounts,
      sessions,
      deliveredCodes,
      devices,
      policy,
    }),
    enable: new EnableFlow({
      ...common,
      factorService: factors,
      backupCodes: backupCodeService,
      deliveredCodes,
      changes,
      policy,
      clock,
    }),
    disable: new DisableFlow({
      ...common,
      factorService: factors,
      backupCodes: backupCodeService,
      deliveredCodes,
      successTokens,
    }),
    challenges: new ChallengeFlow({ ...common, deliveredCodes, successTokens, clock, logger }),
    backupCodes: new BackupCodeRegeneration({
      backupCodes: backupCodeService,
      factors: storage.factors,
      successTokens,
      changes,
    }),
    devices,
    history,
    policy,
    issuers,
    admin: new AdminService({
      users: storage.users,
      factors: storage.factors,
      backupCodes: backupCodeService,
      devices,
      changes,
      issuers,
      secretBox,
      clock,
    }),
    notifications,
    clock,
  };
}
