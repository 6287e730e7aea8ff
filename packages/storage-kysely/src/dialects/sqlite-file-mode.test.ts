import { statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KyselyStorage } from '../kysely-storage.js';
import { openStorage } from '../open-storage.js';
import { SQLITE_FILE_NAME } from './sqlite.js';

/** The permission bits in octal, as `ls -l` and chmod speak them. */
const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe.skipIf(process.platform === 'win32')('the SQLite database files', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function open(prepare?: (file: string) => void): Promise<{ storage: KyselyStorage; file: string }> {
    const dataDir = await mkdtemp(join(tmpdir(), 'tessera-mode-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const file = join(dataDir, SQLITE_FILE_NAME);
    prepare?.(file);
    const storage = await openStorage({ dataDir });
    cleanups.push(() => storage.close());
    await storage.migrate();
    return { storage, file };
  }

  it('are created readable and writable by their owner only, with the WAL and shared memory', async () => {
    const previous = process.umask(0o022);
    try {
      const { storage, file } = await open();
      expect(await storage.users.count()).toBe(0);
      expect(modeOf(file)).toBe('600');
      expect(modeOf(`${file}-wal`)).toBe('600');
      expect(modeOf(`${file}-shm`)).toBe('600');
    } finally {
      process.umask(previous);
    }
  });

  it('are narrowed to the owner when an earlier version left them readable by others', async () => {
    const { file } = await open((path) => {
      writeFileSync(path, '', { mode: 0o644 });
      writeFileSync(`${path}-wal`, '', { mode: 0o666 });
    });
    expect(modeOf(file)).toBe('600');
    expect(modeOf(`${file}-wal`)).toBe('600');
  });
});
