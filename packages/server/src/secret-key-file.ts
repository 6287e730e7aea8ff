import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, type Logger, parseSecretKey } from '@tessera/core';

/** The key's file in the data directory, when TESSERA_SECRET_KEY is not set. */
export const SECRET_KEY_FILE = 'secret.key';

/** The key a start runs with; `save` writes a key generated just now (a no-op otherwise). */
export interface StartKey {
  key: Uint8Array;
  /** True when no key was configured or kept: `save` must run once the start is sure to go on. */
  generated: boolean;
  save(): void;
}

/**
 * The configured key, or the one kept in `<data dir>/secret.key`, or a new one. A new key is
 * only written (`save`, mode 0600) once the start is known to go on: a start refused for a
 * missing database or for data sealed under another key leaves no key file behind, which a later
 * start would otherwise take for the right one. Generating is convenient for one node; several
 * nodes must share TESSERA_SECRET_KEY, so the log says so.
 */
export function loadSecretKey(config: Pick<Config, 'secretKey' | 'dataDir'>, logger: Logger): StartKey {
  const nothingToSave = () => {};
  if (config.secretKey) return { key: config.secretKey, generated: false, save: nothingToSave };
  const path = join(config.dataDir, SECRET_KEY_FILE);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    const key = parseSecretKey(text);
    if (!key) throw new Error(`${path} does not hold the base64 of 32 bytes; restore it or set TESSERA_SECRET_KEY.`);
    return { key, generated: false, save: nothingToSave };
  }
  const key = randomBytes(32);
  return {
    key,
    generated: true,
    save() {
      mkdirSync(config.dataDir, { recursive: true });
      // 'wx': never overwrite a key another process wrote a moment ago.
      writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      logger.warn(
        { path },
        'TESSERA_SECRET_KEY is not set: generated a secret key and saved it to the data directory. Back it up; ' +
          'without it sealed secrets cannot be read. Set TESSERA_SECRET_KEY to share one key between nodes.',
      );
    },
  };
}

/** As loadSecretKey, writing a generated key at once: for callers that seal nothing before it. */
export function resolveSecretKey(config: Pick<Config, 'secretKey' | 'dataDir'>, logger: Logger): Uint8Array {
  const { key, save } = loadSecretKey(config, logger);
  save();
  return key;
}
