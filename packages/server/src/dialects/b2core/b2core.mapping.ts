import {
  type FactorKind,
  type HistoryEntryView,
  REFRESH_TOKEN_SECONDS,
  type SentCode,
  TesseraError,
  type TokenPair,
} from '@tessera/core';

/** B2Core's time format: ISO 8601 to the second with a numeric offset (2022-01-01T00:00:00+00:00). */
export function b2coreTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/**
 * The time format of B2Core's confirmation records (the SMS step's `expiredAt` and `sentAt`):
 * to the microsecond, in UTC with `Z` (2022-12-28T12:50:58.000000Z), as the seed's example has it.
 */
export function b2coreConfirmationTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The token pair as B2Core's `{accessToken, refreshToken}`, each `{token, createdAt, expiresAt}`. */
export function b2coreTokens(tokens: TokenPair, now: Date) {
  const at = (seconds: number) => b2coreTime(new Date(now.getTime() + seconds * 1000));
  return {
    accessToken: { token: tokens.accessToken, createdAt: b2coreTime(now), expiresAt: at(tokens.expiresIn) },
    refreshToken: { token: tokens.refreshToken, createdAt: b2coreTime(now), expiresAt: at(REFRESH_TOKEN_SECONDS) },
  };
}

/** Checks `device_fingerprint`: Base64 of a JSON object with a string `user_agent`. */
export function checkFingerprint(fingerprint: string): void {
  const invalid = () =>
    new TesseraError('VALIDATION_FAILED', {
      message: 'device_fingerprint must be Base64 of a JSON object with user_agent.',
      meta: { field: 'body.device_fingerprint' },
    });
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(fingerprint) || fingerprint.length % 4 !== 0) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(fingerprint, 'base64').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  if (typeof (parsed as Record<string, unknown>).user_agent !== 'string') throw invalid();
}

/** B2Core's names for the methods it knows. */
export const B2CORE_TYPES = { google: 'totp', sms: 'sms' } as const satisfies Record<string, FactorKind>;
export type B2CoreType = keyof typeof B2CORE_TYPES;

/** The step after the password: one method is answered at once, two are chosen from first. */
export function secondFactorWorkflow(methods: readonly FactorKind[]): '2fa' | '2fa_google_auth' | '2fa_sms_auth' {
  const google = methods.includes('totp');
  const sms = methods.includes('sms');
  if (google && !sms) return '2fa_google_auth';
  if (sms && !google) return '2fa_sms_auth';
  return '2fa';
}

/** B2Core's captions (seed 002). */
export const CAPTIONS: Record<B2CoreType, string> = { google: 'Google Authenticator', sms: 'SMS Confirmation' };

/** Listed beside B2Core's two when the account has security keys (usable only through the native API). */
export const SECURITY_KEY_STATUS = { caption: 'Security key', isEnabled: true, name: 'webauthn' };

export function methodStatus(type: B2CoreType, active: readonly FactorKind[]) {
  return { caption: CAPTIONS[type], isEnabled: active.includes(B2CORE_TYPES[type]), name: type };
}

/** The workflow that ends every enable and disable wizard. */
export const TERMINATE_WORKFLOW = 'B2B\\TCA\\Wizards\\Workflow\\TerminateWorkflow';

/** The SMS enable step's answer about the code it sent. */
export function phoneStepData(delivery: SentCode) {
  return {
    status: 0,
    sent: 1,
    expiredAt: b2coreConfirmationTime(new Date(delivery.expiresAt)),
    sentAt: b2coreConfirmationTime(new Date(delivery.sentAt)),
    recipient: {
      class: 'B2B\\TCA\\Confirmations\\Recipients\\PhoneRecipient',
      phone: delivery.destination,
      template: 'default',
      data: null,
      type: 2,
      method: 'phone',
    },
  };
}

/** A history entry as B2Core's change: the authenticator app is `google`, other methods keep their names. */
export function b2coreChange(entry: HistoryEntryView) {
  return {
    // B2Core's ids are integers; the native API's UUID stays the native API's.
    id: entry.number,
    provider: entry.method === 'totp' ? 'google' : entry.method,
    isEnabled: entry.enabled,
    time: b2coreTime(new Date(entry.createdAt)),
  };
}

/** A time filter: a date the calendar has (the pattern lets 2026-02-31 through). */
export function filterTime(value: string | undefined, key: string): Date | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const calendar = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 0));
  if (Number.isNaN(time) || calendar.getUTCMonth() !== (month ?? 1) - 1 || calendar.getUTCDate() !== day) {
    throw new TesseraError('VALIDATION_FAILED', {
      message: `${key} is not a date and time.`,
      meta: { field: `querystring.${key}` },
    });
  }
  return new Date(time);
}
