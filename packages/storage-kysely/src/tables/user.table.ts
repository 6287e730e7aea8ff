import type { Role, SubAccountKind } from '@tessera/core';
import type { Insertable, Selectable } from 'kysely';

/** Times are milliseconds since the epoch (see database.ts). */
export interface UserTable {
  id: string;
  username: string;
  email: string | null;
  phone: string | null;
  /** '' for an account without a password (see migration 2026_11_25_000031_account_admin). */
  password_hash: string;
  role: Role;
  issuer: string | null;
  domain: string | null;
  owner_id: string | null;
  sub_kind: SubAccountKind | null;
  created_at: number;
  external_id: string | null;
  disabled_at: number | null;
}

export type UserRow = Selectable<UserTable>;
export type NewUserRow = Insertable<UserTable>;
