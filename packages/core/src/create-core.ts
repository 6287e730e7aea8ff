import { AccountService } from './accounts/account-service.js';
import { ApiTokenService } from './api-tokens/api-token-service.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config/config.js';
import { assertSecretKeyMatches } from './crypto/key-check.js';
import { KeyedHasher } from './crypto/keyed-hash.js';
import { createArgon2PasswordHasher, type PasswordHasher } from './crypto/password-hasher.js';
import { SecretBox } from './crypto/secret-box.js';
import { FactorService } from './factors/factor-service.js';
import { SignInFlow } from './flows/sign-in/sign-in.flow.js';
import { SecondFactorGuard } from './lockout/second-factor-guard.js';
import { type Logger, silentLogger } from './logger.js';
import { totpMethod } from './methods/totp/totp.method.js';
import { SessionService } from './sessions/session-service.js';
import { IssuerSettings } from './settings/issuer-settings.js';
import type { Storage } from './storage/repositories.js';

export interface CoreDeps {
  storage: Storage;
  secretKey: Uint8Array;
  config: Pick<Config, 'issuer' | 'lockout'>;
  clock?: Clock;
  logger?: Logger;
  passwordHasher?: PasswordHasher;
}

/** What every adapter (native API, dialects, CLI) calls. */
export interface Core {
  accounts: AccountService;
  sessions: SessionService;
  apiTokens: ApiTokenService;
  factors: FactorService;
  signIn: SignInFlow;
  issuers: IssuerSettings;
  clock: Clock;
}

/** Wires the core over a storage. Refuses a secret key other than the one the data was sealed with. */
export async function createCore(deps: CoreDeps): Promise<Core> {
  const { storage, secretKey, config } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const secretBox = new SecretBox(secretKey);
  await assertSecretKeyMatches(storage.settings, secretBox);

  const hasher = new KeyedHasher(secretKey);
  const accounts = new AccountService(storage.users, deps.passwordHasher ?? createArgon2PasswordHasher(), clock);
  const sessions = new SessionService(storage.sessions, hasher, clock, secretKey);
  const issuers = new IssuerSettings(storage.settings, config.issuer);
  const guard = new SecondFactorGuard(storage.lockouts, config.lockout, clock);
  const factors = new FactorService({
    factors: storage.factors,
    users: storage.users,
    issuers,
    guard,
    totp: totpMethod(secretBox),
    clock,
    logger,
  });
  const apiTokens = new ApiTokenService(storage.apiTokens, hasher, clock);
  const signIn = new SignInFlow({ accounts, factors, sessions, flows: storage.flows, clock });
  return { accounts, sessions, apiTokens, factors, signIn, issuers, clock };
}
