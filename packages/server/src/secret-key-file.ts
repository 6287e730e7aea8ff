import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, type Logger, parseSecretKey } from '@tessera/core';

/** The key's file in the data directory, when TESSERA_SECRET_KEY is not set. */
export const SECRET_KEY_FILE = 'secret.key';

/**
 * The configured key, or the one kept in `<data dir>/secret.key`, generated on first start with
 * mode 0600. Generating is convenient for one node; several nodes must share TESSERA_SECRET_KEY,
 * so the log says so.
 */
export function resolveSecretKey(config: Pick<Config, 'secretKey' | 'dataDir'>, logger: Logger): Uint8Array {
  if (config.secretKey) return config.secretKey;
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
    return key;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  // 'wx': never overwrite a key another process wrote a moment ago.
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  logger.warn(
    { path },
    'TESSERA_SECRET_KEY is not set: generated a secret key and saved it to the data directory. Back it up; ' +
      'without it sealed secrets cannot be read. Set TESSERA_SECRET_KEY to share one key between nodes.',
  );
  return key;
}
