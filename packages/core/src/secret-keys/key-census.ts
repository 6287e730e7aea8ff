import { AUDIT_SIGNING_KEYS } from '../audit/audit-trail.js';
import { sealedKeyId } from '../crypto/secret-box.js';
import { contactChangeMachine } from '../flows/contact-change/contact-change.machine.js';
import { SIGNING_KEYS_SETTING, sealedSigningKeys } from '../sessions/signing-keys.js';
import type { KeyCount, SealedColumn, Storage } from '../storage/repositories.js';

/** Where sealed values live: the storage's sealed columns, and those inside settings and flows. */
export type SealedKind = SealedColumn | 'signing_keys' | 'audit_keys' | 'key_check' | 'contact_changes';

/** The setting every start opens to check the key (crypto/key-check.ts). */
export const KEY_CHECK_SETTING = 'key_check';

/** What each kind holds, for an operator's eyes. */
export const SEALED_KIND_LABELS: Record<SealedKind, string> = {
  totp_secret: 'authenticator (TOTP) secrets',
  sms_phone: 'SMS factor phone numbers',
  user_phone: 'account phone numbers',
  verification_destination: 'destinations of verifications (Twilio Verify)',
  webhook_secret: 'webhook signing secrets',
  signing_keys: 'access-token signing keys',
  audit_keys: 'audit checkpoint signing keys',
  key_check: 'database key check',
  contact_changes: 'pending contact changes',
};

/**
 * Every sealed value by the id of the key that sealed it. The columns are counted by the
 * database; the few values inside settings and live flows are read and counted here.
 */
export async function sealedCensus(storage: Storage, now: Date): Promise<KeyCount<SealedKind>[]> {
  const counts: KeyCount<SealedKind>[] = await storage.secretKeys.countSealed();
  const add = (column: SealedKind, sealed: string | undefined) => {
    const keyId = sealed === undefined ? undefined : sealedKeyId(sealed);
    if (keyId === undefined) return;
    const entry = counts.find((count) => count.column === column && count.keyId === keyId);
    if (entry) entry.count += 1;
    else counts.push({ column, keyId, count: 1 });
  };
  add('key_check', await storage.settings.get(KEY_CHECK_SETTING));
  const signingKeys = await storage.settings.get(SIGNING_KEYS_SETTING);
  for (const sealed of signingKeys === undefined ? [] : sealedSigningKeys(signingKeys)) add('signing_keys', sealed);
  const auditKeys = await storage.settings.get(AUDIT_SIGNING_KEYS.setting);
  for (const sealed of auditKeys === undefined ? [] : sealedSigningKeys(auditKeys)) add('audit_keys', sealed);
  for (const flow of await storage.secretKeys.listLiveFlows(contactChangeMachine.name, now)) {
    add('contact_changes', contactChangeSealedValue(flow.data));
  }
  return counts;
}

/** The sealed new value in a contact change's flow data. */
export function contactChangeSealedValue(data: string): string | undefined {
  const parsed = JSON.parse(data) as { sealedValue?: unknown };
  return typeof parsed.sealedValue === 'string' ? parsed.sealedValue : undefined;
}
