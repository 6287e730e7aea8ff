import type { SignedIn, TokenPair } from '@tessera/core';

/** The login answer: Mudbase's token names, and the user with `twoFactorEnabled`. */
export function loginBody(signedIn: SignedIn) {
  return {
    message: 'Login successful',
    ...tokenFields(signedIn.tokens),
    user: {
      id: signedIn.account.id,
      email: signedIn.account.email,
      username: signedIn.account.username,
      role: signedIn.account.role,
      twoFactorEnabled: signedIn.methods.length > 0,
      createdAt: signedIn.account.createdAt,
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
