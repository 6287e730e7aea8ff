import type { Role, SignedIn, TokenPair } from '@tessera/core';

/** Mudbase's org roles (its `User.role` enum). */
export type MudbaseRole = 'owner' | 'admin' | 'member' | 'viewer';

/**
 * Tessera's two roles onto Mudbase's four: an admin administers the server (Mudbase's `admin`);
 * a user manages their own account and nothing else (Mudbase's `member`). `owner` (who holds an
 * organisation's billing) and `viewer` (read-only) have no Tessera counterpart and are never sent.
 */
export const MUDBASE_ROLES: Record<Role, MudbaseRole> = { admin: 'admin', user: 'member' };

/**
 * The login answer: Mudbase's token names, and its `User` field by field: `_id` (the SDK's model
 * reads `user._id`), `email` only when the account has one (the vendor's is a non-nullable
 * e-mail), the mapped `role`, `twoFactorEnabled` and `createdAt`. Fields Tessera does not keep
 * (names, avatar, verification flags, org) are left out; the vendor marks none of them required.
 */
export function loginBody(signedIn: SignedIn) {
  const { account } = signedIn;
  return {
    message: 'Login successful',
    ...tokenFields(signedIn.tokens),
    user: {
      _id: account.id,
      ...(account.email === null ? {} : { email: account.email }),
      role: MUDBASE_ROLES[account.role],
      twoFactorEnabled: signedIn.methods.length > 0,
      createdAt: account.createdAt,
    },
  };
}

export function tokenFields(tokens: TokenPair): { token: string; refreshToken: string; expiresIn: number } {
  return { token: tokens.accessToken, refreshToken: tokens.refreshToken, expiresIn: tokens.expiresIn };
}

/** The key in groups of four, as authenticator apps ask for it by hand: JBSW Y3DP EHPK 3PXP. */
export function manualEntryKey(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}
