import type { Method } from '@tessera/client';

/**
 * The methods answered with a code, the most phishing-resistant first: an authenticator app's
 * code never travels over a network someone else runs; an e-mail code rides on the mailbox's
 * own sign-in; an SMS code can be taken by a SIM swap; a backup code is a last resort.
 * Security keys and passkeys (`webauthn`) resist phishing best and take no code: their option,
 * "Use a security key or passkey", goes at the top of the chooser with its own ceremony, and
 * is not part of this list.
 */
export const METHOD_ORDER: readonly Method[] = ['totp', 'email', 'sms', 'backup_codes'];

export function byResistance(methods: readonly Method[]): Method[] {
  return METHOD_ORDER.filter((method) => methods.includes(method));
}

/** Methods whose code is sent, so choosing one sends it. */
export function isSent(method: Method): method is 'sms' | 'email' {
  return method === 'sms' || method === 'email';
}
