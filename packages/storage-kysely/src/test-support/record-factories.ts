import { randomUUID } from 'node:crypto';
import type {
  ApiTokenRecord,
  BackupCodeRecord,
  DeliveredCodeRecord,
  FactorRecord,
  FlowRecord,
  HistoryRecord,
  LockoutRecord,
  NewUser,
  RefreshTokenRecord,
  SessionFamilyRecord,
  SuccessTokenRecord,
  TrustedDeviceRecord,
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
    createdAt: T0,
    ...overrides,
  };
}

export function aPendingFactor(userId: string, overrides: Partial<FactorRecord> = {}): FactorRecord {
  return {
    id: randomUUID(),
    userId,
    kind: 'totp',
    status: 'pending',
    sealedSecret: 'v1.sealed-secret',
    params: '{"algorithm":"SHA1","digits":6,"period":30}',
    lastUsedStep: null,
    createdAt: T0,
    expiresAt: at(10 * 60_000),
    activatedAt: null,
    ...overrides,
  };
}

export function aSessionFamily(userId: string, overrides: Partial<SessionFamilyRecord> = {}): SessionFamilyRecord {
  return { id: randomUUID(), userId, createdAt: T0, revokedAt: null, ...overrides };
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
    tokenHash: `hash-${randomUUID()}`,
    createdAt: T0,
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

export function aFlow(userId: string, overrides: Partial<FlowRecord> = {}): FlowRecord {
  return {
    id: randomUUID(),
    kind: 'sign-in',
    userId,
    state: 'awaiting_second_factor',
    data: '{}',
    attempts: 0,
    version: 1,
    createdAt: T0,
    expiresAt: at(5 * 60_000),
    ...overrides,
  };
}

export function aLockout(userId: string, overrides: Partial<LockoutRecord> = {}): LockoutRecord {
  return { userId, failedCount: 1, lockLevel: 0, lockedUntil: null, version: 1, ...overrides };
}

/** An active factor, as insertActive takes it; backup codes by default (it has no secret). */
export function anActiveFactor(userId: string, overrides: Partial<FactorRecord> = {}): FactorRecord {
  return aPendingFactor(userId, {
    kind: 'backup_codes',
    status: 'active',
    sealedSecret: null,
    params: '{"count":10,"digits":8}',
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

export function aDeliveredCode(userId: string, overrides: Partial<DeliveredCodeRecord> = {}): DeliveredCodeRecord {
  return {
    id: randomUUID(),
    userId,
    purpose: 'sign_in',
    channel: 'sms',
    recipientHash: `recipient-${randomUUID()}`,
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
