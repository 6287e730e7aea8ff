import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, SecretKeyMismatchError } from '@tessera/core';
import { createLogger, openRuntime, startServer } from '@tessera/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogCapture } from '../support/log-capture.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-start-'));
});
afterEach(async () => rm(dataDir, { recursive: true, force: true }));

describe('secret key at start', () => {
  it('generates secret.key with mode 0600 and a warning, then reuses it', async () => {
    const log = new LogCapture();
    const config = loadConfig({ TESSERA_DATA_DIR: dataDir });
    const first = await openRuntime(config, createLogger('info', log));
    await first.close();
    const keyFile = join(dataDir, 'secret.key');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(log.text).toContain('TESSERA_SECRET_KEY is not set');
    const key = await readFile(keyFile, 'utf8');

    const secondLog = new LogCapture();
    const second = await openRuntime(config, createLogger('info', secondLog));
    await second.close();
    expect(await readFile(keyFile, 'utf8')).toBe(key);
    expect(secondLog.text).not.toContain('TESSERA_SECRET_KEY is not set');
    expect(log.text).not.toContain(key.trim());
  });

  it('refuses to start with another key than the data was sealed with', async () => {
    const logger = createLogger('silent');
    const keyA = randomBytes(32).toString('base64');
    const keyB = randomBytes(32).toString('base64');
    const runtime = await openRuntime(loadConfig({ TESSERA_DATA_DIR: dataDir, TESSERA_SECRET_KEY: keyA }), logger);
    await runtime.close();
    const attempt = openRuntime(loadConfig({ TESSERA_DATA_DIR: dataDir, TESSERA_SECRET_KEY: keyB }), logger);
    await expect(attempt).rejects.toBeInstanceOf(SecretKeyMismatchError);
    await expect(
      openRuntime(loadConfig({ TESSERA_DATA_DIR: dataDir, TESSERA_SECRET_KEY: keyB }), logger),
    ).rejects.toThrow(/sealed under a different secret key/);
  });

  it('starts a listening server on an empty data dir and creates the database', async () => {
    const log = new LogCapture();
    const server = await startServer(
      loadConfig({ TESSERA_DATA_DIR: dataDir, PORT: '0', TESSERA_SECRET_KEY: randomBytes(32).toString('base64') }),
      log,
    );
    try {
      const response = await fetch(`${server.url}/health`);
      expect(await response.json()).toEqual({ status: 'ok' });
      await stat(join(dataDir, 'tessera.db'));
      expect(log.text).toContain('database migrated');
    } finally {
      await server.close();
    }
  });
});
