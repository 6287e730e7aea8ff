/** Plain records the repositories return. Times are Date; ids are UUID strings. */

export type Role = 'user' | 'admin';

export interface UserRecord {
  id: string;
  username: string;
  email: string | null;
  phone: string | null;
  passwordHash: string;
  role: Role;
  /** Per-user override of the otpauth issuer; null means the system-wide one. */
  issuer: string | null;
  createdAt: Date;
}

export type FactorKind = 'totp';
export type FactorStatus = 'pending' | 'active';

export interface FactorRecord {
  id: string;
  userId: string;
  kind: FactorKind;
  status: FactorStatus;
  /** The method's secret, sealed by SecretBox with the factor id as context; null if it has none. */
  sealedSecret: string | null;
  /** Method parameters that are not secret (for TOTP: algorithm, digits, period), as JSON. */
  params: string;
  /** TOTP: the last accepted time step; a code for this step or an earlier one is refused. */
  lastUsedStep: number | null;
  createdAt: Date;
  /** Pending factors expire; null once active. */
  expiresAt: Date | null;
  activatedAt: Date | null;
}

export interface RefreshTokenRecord {
  id: string;
  familyId: string;
  userId: string;
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
  /** Set when the token was exchanged for a new one; a second use means it was stolen. */
  rotatedAt: Date | null;
}

export interface SessionFamilyRecord {
  id: string;
  userId: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface ApiTokenRecord {
  id: string;
  userId: string;
  name: string;
  tokenHash: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface FlowRecord {
  id: string;
  kind: string;
  userId: string;
  state: string;
  /** Flow-specific data as JSON. Never a secret in plain text. */
  data: string;
  attempts: number;
  version: number;
  createdAt: Date;
  expiresAt: Date;
}

/** Per-account second-factor failure budget (see lockout/lockout-policy.ts). */
export interface LockoutRecord {
  userId: string;
  failedCount: number;
  lockLevel: number;
  lockedUntil: Date | null;
  version: number;
}
