import { isTesseraError } from '@tessera/client';
import type { I18n, MessageKey } from '../i18n/i18n.js';

/**
 * The sentence for a refusal, by its stable code (never by its status or its words): the
 * catalogue has `error.<CODE>` for every code, with the waits some codes carry.
 */
export function errorText(i18n: I18n, error: unknown): string {
  if (!isTesseraError(error)) return i18n.t('error.NETWORK');
  const key = `error.${error.code}` as MessageKey;
  const { lockedUntil, retryAt } = error.body;
  return i18n.t(key, {
    lockedUntil: lockedUntil ? i18n.dateTime(lockedUntil) : '',
    retryAt: retryAt ? i18n.dateTime(retryAt) : '',
  });
}

/** Whether the refusal means the step began is gone and the person must start again. */
export function isStartAgain(error: unknown): boolean {
  return isTesseraError(error, 'FLOW_EXPIRED', 'FLOW_FINISHED', 'FLOW_NOT_FOUND', 'ENROLLMENT_EXPIRED');
}
