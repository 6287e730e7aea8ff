import { randomUUID } from 'node:crypto';
import type {
  ApiTokenRecord,
  BackupCodeRecord,
  DeliveredCodeRecord,
  FactorDetailsByKind,
  FactorKind,
  FactorOf,
  FactorRecord,
  FlowRecord,
  HistoryRecord,
  LockoutRecord,
  NewUser,
  RefreshTokenRecord,
  SendLimits,
  SessionFamilyRecord,
  SuccessTokenRecord,
  ThrottleRecord,
  TrustedDeviceRecord,
  WebAuthnChallengeRecord,
  WebAuthnCredentialRecord,
} from '@tessera/core';

/*
 * Records for storage tests, each valid and unique by default, with the fields a test cares
 * about overridden. Times carry milliseconds so a lossy round trip shows.
 */

export const T0 = new Date(Date.UTC(2026, 10, 23, 12, 34, 56, 789));

export function at(offsetMs: number): Date {
  return new Date(T0.getTime() + offsetMs);
}

export function aUser(overrides: Partial<NewUser> = {}): NewUser {
  const id = randomUUID();
  return {
    id,
    username: `user-${id.slice(0, 8)}`,
    email: `${id.slice(0, 8)}@example.test`,
    phone: null,
    passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
    role: 'user',
    issuer: null,
    domain: null,
    ownerId: null,
    subKind: null,
    createdAt: T0,
    externalId: null,
    disabledAt: null,
    ...overrides,
  };
}

/** Details of each kind as a method would store them (the sealed values are opaque here). */
export const FACTOR_DETAILS: FactorDetailsByKind = {
  totp: { sealedSecret: 'v1.sealed-secret', algorithm: 'SHA1', digits: 6, period: 30, lastUsedStep: null },
  sms: { sealedPhone: 'v1.sealed-phone', maskedPhone: '+1555****100' },
  email: { maskedEmail: 'a***@example.test' },
  backup_codes: { count: 10, digits: 8 },
  webauthn: { rpId: 'tessera.test' },
};

/** Fields of a factor to override; `details` are merged into the kind's defaults. */
export type FactorOverrides<K extends FactorKind> = Partial<Omit<FactorRecord, 'kind' | 'details'>> & {
  kind?: K;
  details?: Partial<FactorDetailsByKind[K]>;
};

/** A pending factor, TOTP unless `kind` says otherwise. */
export function aPendingFactor<K extends FactorKind = 'totp'>(
  userId: string,
  overrides: FactorOverrides<K> = {},
): FactorOf<K> {
  const { kind = 'totp' as K, details, ...rest } = overrides;
  // The spread of a union's details cannot be checked per kind; the defaults come from the same kind.
  return {
    id: randomUUID(),
    userId,
    status: 'pending',
    createdAt: T0,
    expiresAt: at(10 * 60_000),
    activatedAt: null,
    ...rest,
    kind,
    details: { ...FACTOR_DETAILS[kind], ...details },
  } as FactorOf<K>;
}

export function aSessionFamily(userId: string, overrides: Partial<SessionFamilyRecord> = {}): SessionFamilyRecord {
  return {
    id: randomUUID(),
    userId,
    createdAt: T0,
    revokedAt: null,
    lastUsedAt: null,
    clientIp: null,
    userAgent: null,
    secondFactor: false,
    ...overrides,
  };
}

export function aRefreshToken(
  family: SessionFamilyRecord,
  overrides: Partial<RefreshTokenRecord> = {},
): RefreshTokenRecord {
  return {
    id: randomUUID(),
    familyId: family.id,
    userId: family.userId,
    tokenHash: `hash-${randomUUID()}`,
    createdAt: T0,
    expiresAt: at(30 * 24 * 3600_000),
    rotatedAt: null,
    ...overrides,
  };
}

export function anApiToken(userId: string, overrides: Partial<ApiTokenRecord> = {}): ApiTokenRecord {
  return {
    id: randomUUID(),
    userId,
    name: 'deploy bot',
    scope: 'write',
    tokenHash: `hash-${randomUUID()}`,
    createdAt: T0,
    lastUsedAt: null,
    revokedAt: null,
    passwordOnly: false,
    ...overrides,
  };
}

export function aFlow(userId: string, overrides: Partial<FlowRecord> = {}): FlowRecord {
  return {
    id: randomUUID(),
    kind: 'sign-in',
    userId,
    state: 'awaiting_code',
    data: '{}',
    attempts: 0,
    version: 1,
    createdAt: T0,
    expiresAt: at(5 * 60_000),
    ...overrides,
  };
}

export function aThrottle(key: string, overrides: Partial<ThrottleRecord> = {}): ThrottleRecord {
  return { key, failures: 1, level: 0, blockedUntil: null, windowStartedAt: null, version: 1, ...overrides };
}

export function aLockout(userId: string, overrides: Partial<LockoutRecord> = {}): LockoutRecord {
  return { userId, failedCount: 1, lockLevel: 0, lockedUntil: null, totalFailures: 1, version: 1, ...overrides };
}

/** An active factor, as insertActive takes it; backup codes unless `kind` says otherwise. */
export function anActiveFactor<K extends FactorKind = 'backup_codes'>(
  userId: string,
  overrides: FactorOverrides<K> = {},
): FactorOf<K> {
  return aPendingFactor<K>(userId, {
    kind: 'backup_codes' as K,
    status: 'active',
    expiresAt: null,
    activatedAt: T0,
    ...overrides,
  });
}

export function aBackupCode(userId: string, overrides: Partial<BackupCodeRecord> = {}): BackupCodeRecord {
  return { id: randomUUID(), userId, codeHash: `hash-${randomUUID()}`, createdAt: T0, usedAt: null, ...overrides };
}

export function aBackupCodeSet(userId: string, size = 10): BackupCodeRecord[] {
  return Array.from({ length: size }, () => aBackupCode(userId));
}

/** Limits no test reaches by accident: for tests about something else than the limits. */
export const NO_SEND_LIMITS: SendLimits = { cooldownSeconds: 0, hourlyLimit: 1_000_000 };

export function aDeliveredCode(userId: string, overrides: Partial<DeliveredCodeRecord> = {}): DeliveredCodeRecord {
  return {
    id: randomUUID(),
    userId,
    purpose: 'sign_in',
    channel: 'sms',
    recipientHash: `recipient-${randomUUID()}`,
    clientIpHash: null,
    codeHash: `hash-${randomUUID()}`,
    attempts: 0,
    maxAttempts: 5,
    sentAt: T0,
    expiresAt: at(10 * 60_000),
    consumedAt: null,
    ...overrides,
  };
}

export function aSuccessToken(userId: string, overrides: Partial<SuccessTokenRecord> = {}): SuccessTokenRecord {
  return {
    id: randomUUID(),
    userId,
    tokenHash: `hash-${randomUUID()}`,
    operation: 'disable_factor',
    target: randomUUID(),
    createdAt: T0,
    expiresAt: at(5 * 60_000),
    usedAt: null,
    ...overrides,
  };
}

export function aHistoryEntry(userId: string | null, overrides: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    id: randomUUID(),
    userId,
    userPseudonym: null,
    method: 'totp',
    action: 'enable',
    enabled: true,
    actor: 'self',
    actorId: userId,
    clientIp: '203.0.113.7',
    details: '{}',
    createdAt: T0,
    ...overrides,
  };
}

export function aTrustedDevice(userId: string, overrides: Partial<TrustedDeviceRecord> = {}): TrustedDeviceRecord {
  return {
    id: randomUUID(),
    userId,
    tokenHash: `hash-${randomUUID()}`,
    label: 'Firefox on Linux',
    createdAt: T0,
    expiresAt: at(30 * 24 * 3600_000),
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

/** A security key of `factorId` (the user's active webauthn factor). */
export function aWebAuthnCredential(
  userId: string,
  factorId: string,
  overrides: Partial<WebAuthnCredentialRecord> = {},
): WebAuthnCredentialRecord {
  const id = randomUUID();
  return {
    id,
    userId,
    factorId,
    credentialId: Buffer.from(`credential-${id}`).toString('base64url'),
    publicKey: Buffer.from(`cose-key-${id}`).toString('base64url'),
    signCount: 0,
    transports: ['usb', 'nfc'],
    aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
    backupEligible: false,
    backedUp: false,
    discoverable: true,
    userVerified: true,
    name: 'YubiKey 5 Series',
    createdAt: T0,
    lastUsedAt: null,
    ...overrides,
  };
}

export function aWebAuthnChallenge(overrides: Partial<WebAuthnChallengeRecord> = {}): WebAuthnChallengeRecord {
  return {
    id: randomUUID(),
    challenge: Buffer.from(randomUUID()).toString('base64url'),
    purpose: 'second_factor',
    flowId: randomUUID(),
    userId: null,
    createdAt: T0,
    expiresAt: at(60_000),
    usedAt: null,
    ...overrides,
  };
}
