import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { TrustedDeviceService } from '../devices/trusted-device-service.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { FactorChanges } from '../factors/factor-changes.js';
import type { ChangeContext } from '../history/history-service.js';
import type { BackupCodeService } from '../methods/backup-codes/backup-code-service.js';
import { openTotpKey, sealTotpKey, totpParams } from '../methods/totp/totp.method.js';
import {
  buildOtpauthUri,
  DEFAULT_TOTP_PARAMS,
  decodeBase32,
  encodeBase32,
  OtpFormatError,
  type TotpParams,
} from '../otp/index.js';
import type { IssuerSettings } from '../settings/issuer-settings.js';
import type { FactorKind, UserRecord } from '../storage/records.js';
import type { FactorRepository, UserRepository } from '../storage/repositories.js';

export interface UserTwoFactorState {
  id: string;
  username: string;
  email: string | null;
  role: string;
  twoFactorEnabled: boolean;
  methods: FactorKind[];
}

export interface TotpExport extends TotpParams {
  secret: string;
  otpauthUri: string;
}

/** Operations an admin performs on other users' 2FA. Each change is recorded as the admin's. */
export class AdminService {
  constructor(
    private readonly deps: {
      users: UserRepository;
      factors: FactorRepository;
      backupCodes: BackupCodeService;
      devices: TrustedDeviceService;
      changes: FactorChanges;
      issuers: IssuerSettings;
      secretBox: SecretBox;
      clock: Clock;
    },
  ) {}

  async listUsers(limit: number, offset: number): Promise<{ items: UserTwoFactorState[]; total: number }> {
    const page = await this.deps.users.listWithFactors(limit, offset);
    return {
      total: page.total,
      items: page.items.map(({ user, activeKinds }) => ({
        id: user.id,
        username: user.username,
        email: user.email,
        role: user.role,
        twoFactorEnabled: activeKinds.length > 0,
        methods: activeKinds,
      })),
    };
  }

  /** Removes every factor of the user (an admin's "reset 2FA"), with history and a notice. */
  async resetTwoFactor(userId: string, context: ChangeContext): Promise<FactorKind[]> {
    const { factors, backupCodes, devices, changes } = this.deps;
    await this.user(userId);
    const removed = await factors.deleteAllForUser(userId);
    await backupCodes.removeAll(userId);
    await devices.revokeAll(userId);
    await changes.recordAll(userId, removed, 'reset', false, context);
    return removed;
  }

  /** The user's TOTP key for migration to another system. Recorded in the history every time. */
  async exportTotp(userId: string, context: ChangeContext): Promise<TotpExport> {
    const { factors, secretBox, issuers, changes } = this.deps;
    const user = await this.user(userId);
    const factor = await factors.findActive(userId, 'totp');
    if (!factor) throw new TesseraError('METHOD_NOT_ACTIVE');
    const key = openTotpKey(secretBox, factor);
    const secret = encodeBase32(key);
    key.fill(0);
    const params = totpParams(factor);
    await changes.record(userId, 'totp', 'export', true, context);
    return {
      secret,
      otpauthUri: buildOtpauthUri({
        issuer: await issuers.issuerFor(user),
        accountName: user.username,
        secret,
        ...params,
      }),
      ...params,
    };
  }

  /** Installs a TOTP key brought from another system as the user's active authenticator. */
  async importTotp(
    userId: string,
    input: { secret: string } & Partial<TotpParams>,
    context: ChangeContext,
  ): Promise<void> {
    const { factors, secretBox, clock, changes } = this.deps;
    await this.user(userId);
    const key = decodeSecret(input.secret);
    if (key.length < 10) {
      throw new TesseraError('VALIDATION_FAILED', {
        message: 'The secret must be at least 80 bits (16 base32 characters).',
      });
    }
    const params: TotpParams = {
      algorithm: input.algorithm ?? DEFAULT_TOTP_PARAMS.algorithm,
      digits: input.digits ?? DEFAULT_TOTP_PARAMS.digits,
      period: input.period ?? DEFAULT_TOTP_PARAMS.period,
    };
    const now = clock.now();
    const id = newId();
    const outcome = await factors.insertActive({
      id,
      userId,
      kind: 'totp',
      status: 'active',
      sealedSecret: sealTotpKey(secretBox, id, key),
      params: JSON.stringify(params),
      lastUsedStep: null,
      createdAt: now,
      expiresAt: null,
      activatedAt: now,
    });
    key.fill(0);
    if (outcome === 'already_active') throw new TesseraError('FACTOR_ALREADY_ACTIVE');
    await changes.record(userId, 'totp', 'import', true, context);
  }

  private async user(userId: string): Promise<UserRecord> {
    const user = await this.deps.users.findById(userId);
    if (!user) throw new TesseraError('USER_NOT_FOUND');
    return user;
  }
}

/** A malformed key is the caller's mistake (400), not a server failure. */
function decodeSecret(secret: string): Uint8Array {
  try {
    return decodeBase32(secret);
  } catch (error) {
    if (error instanceof OtpFormatError) {
      throw new TesseraError('VALIDATION_FAILED', {
        message: `The secret is not valid base32: ${error.message}.`,
        cause: error,
      });
    }
    throw error;
  }
}
