import { KEY_CHECK_SETTING, SEALED_KIND_LABELS, type SealedKind, sealedCensus } from '../secret-keys/key-census.js';
import type { Storage } from '../storage/repositories.js';
import { SealOpenError, type SecretBox } from './secret-box.js';

const KEY_CHECK_CONTEXT = 'key-check';
const KEY_CHECK_PLAINTEXT = 'tessera';

/** What a refused start needed: a key (by id, never the key) and what is sealed under it. */
export interface MissingKey {
  keyId: string;
  /** What is sealed under it, e.g. "12 authenticator (TOTP) secrets". */
  holds: string[];
}

export class SecretKeyMismatchError extends Error {
  constructor(
    readonly missing: MissingKey[],
    readonly configuredKeyIds: string[],
  ) {
    const needs = missing
      .map((key) => `key id ${key.keyId}${key.holds.length > 0 ? ` (${key.holds.join(', ')})` : ''}`)
      .join('; ');
    super(
      `The database holds data sealed under a different secret key, one not configured: ${needs}. ` +
        `The keys configured have the ids ${configuredKeyIds.join(', ')}. Start Tessera with that key as ` +
        'TESSERA_SECRET_KEY or in TESSERA_SECRET_KEY_PREVIOUS (or restore secret.key in the data directory); ' +
        'refusing to start.',
    );
    this.name = 'SecretKeyMismatchError';
  }
}

/**
 * Whether the database already holds data sealed under some key (the known value below): a key
 * generated just now cannot be that key, so a start with one must be refused before anything
 * (a new key file) is written.
 */
export async function holdsSealedData(settings: Storage['settings']): Promise<boolean> {
  return (await settings.get(KEY_CHECK_SETTING)) !== undefined;
}

/**
 * The first start seals a known value; every later start must open it with a key of the ring,
 * and every value sealed in the database must name a key of the ring. Starting with another
 * key (or after dropping a key still needed) would otherwise run "fine" until the first TOTP
 * check failed for every user. Returns the id of the key the check value is sealed under.
 */
export async function assertSecretKeyMatches(storage: Storage, box: SecretBox, now: Date): Promise<string> {
  const { settings } = storage;
  const stored = await settings.setIfAbsent(
    KEY_CHECK_SETTING,
    box.seal(Buffer.from(KEY_CHECK_PLAINTEXT), KEY_CHECK_CONTEXT),
  );
  try {
    box.open(stored, KEY_CHECK_CONTEXT);
  } catch (error) {
    if (!(error instanceof SealOpenError)) throw error;
    // A wrong key names the key it needed; a damaged check value names none.
    const missing = await missingKeys(storage, box, now);
    if (missing.length === 0)
      missing.push({ keyId: error.keyId ?? 'unknown', holds: [`the ${SEALED_KIND_LABELS.key_check}`] });
    throw new SecretKeyMismatchError(
      missing,
      box.ring.all.map((key) => key.id),
    );
  }
  const missing = await missingKeys(storage, box, now);
  if (missing.length > 0)
    throw new SecretKeyMismatchError(
      missing,
      box.ring.all.map((key) => key.id),
    );
  return stored.split('.')[1] ?? box.keyId;
}

/** The sealed value a key check holds, sealed again under the current key. */
export function resealKeyCheck(stored: string, box: SecretBox): string {
  return box.reseal(stored, KEY_CHECK_CONTEXT);
}

async function missingKeys(storage: Storage, box: SecretBox, now: Date): Promise<MissingKey[]> {
  const byKey = new Map<string, string[]>();
  for (const { column, keyId, count } of await sealedCensus(storage, now)) {
    if (keyId === null || box.ring.has(keyId)) continue;
    const holds = byKey.get(keyId) ?? [];
    holds.push(
      column === 'key_check'
        ? `the ${SEALED_KIND_LABELS.key_check}`
        : `${count} ${SEALED_KIND_LABELS[column as SealedKind]}`,
    );
    byKey.set(keyId, holds);
  }
  return [...byKey].map(([keyId, holds]) => ({ keyId, holds }));
}
