import type { SettingsRepository } from '../storage/repositories.js';
import { SealOpenError, type SecretBox } from './secret-box.js';

const KEY_CHECK_SETTING = 'key_check';
const KEY_CHECK_CONTEXT = 'key-check';
const KEY_CHECK_PLAINTEXT = 'tessera';

export class SecretKeyMismatchError extends Error {
  constructor() {
    super(
      'The database holds data sealed under a different secret key. Start Tessera with the key it was ' +
        'created with (TESSERA_SECRET_KEY or secret.key in the data directory); refusing to start.',
    );
    this.name = 'SecretKeyMismatchError';
  }
}

/**
 * Whether the database already holds data sealed under some key (the known value below): a key
 * generated just now cannot be that key, so a start with one must be refused before anything
 * (a new key file) is written.
 */
export async function holdsSealedData(settings: SettingsRepository): Promise<boolean> {
  return (await settings.get(KEY_CHECK_SETTING)) !== undefined;
}

/**
 * The first start seals a known value; every later start must open it. Starting with another
 * key would otherwise run "fine" until the first TOTP check failed for every user.
 */
export async function assertSecretKeyMatches(settings: SettingsRepository, box: SecretBox): Promise<void> {
  const stored = await settings.setIfAbsent(
    KEY_CHECK_SETTING,
    box.seal(Buffer.from(KEY_CHECK_PLAINTEXT), KEY_CHECK_CONTEXT),
  );
  try {
    box.open(stored, KEY_CHECK_CONTEXT);
  } catch (error) {
    if (error instanceof SealOpenError) throw new SecretKeyMismatchError();
    throw error;
  }
}
