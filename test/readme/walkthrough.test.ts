/**
 * The README's curl walk-through, run as written against a real server on an empty data dir
 * (only the port differs). If the README drifts from the API, this fails.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '@tessera/core';
import { type RunningServer, startServer } from '@tessera/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogCapture } from '../support/log-capture.js';

const root = join(import.meta.dirname, '../..');
let dataDir: string;
let server: RunningServer;
let env: Record<string, string>;

/**
 * Stands in for the wait for the app's next code: `sleep` moves the authenticator's clock on
 * (oathtool reads it through --now) instead of holding the test for up to 30 s. The server keeps
 * the real time; the next step's code is inside its ±1 step window, and a README that stopped
 * waiting would replay the spent code and fail.
 */
const APP_CLOCK = `
app_clock_offset=0
sleep() { app_clock_offset=$((app_clock_offset + $1)); }
oathtool() {
  command oathtool --now "$(date -u -d "@$(($(date +%s) + app_clock_offset))" '+%Y-%m-%d %H:%M:%S UTC')" "$@"
}
`;

function shellBlocksAfter(readme: string, heading: string): string[] {
  const section = readme.slice(readme.indexOf(heading));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-readme-'));
  env = { ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_SECRET_KEY: randomBytes(32).toString('base64') } as Record<
    string,
    string
  >;
  // The server is started as the README says to start it for the walk-through.
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const start = /`((?:TESSERA_[A-Z_]+=\S+ )+)npm start`/.exec(readme.slice(readme.indexOf('## Walk-through')));
  const settings = Object.fromEntries(
    (start?.[1] ?? '')
      .trim()
      .split(' ')
      .filter(Boolean)
      .map((pair) => pair.split('=')),
  );
  server = await startServer(loadConfig({ ...env, ...settings, PORT: '0' }), new LogCapture());
});
afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('README walk-through', () => {
  it('enrolls, signs in with a code and verifies server to server, as written', { timeout: 90_000 }, async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const [enroll, serverToServer] = shellBlocksAfter(readme, '## Walk-through');
    expect(enroll).toContain('oathtool --totp');
    expect(enroll).toMatch(/^sleep /m);
    const script = `set -euo pipefail\n${APP_CLOCK}\n${enroll}\n${serverToServer}`.replaceAll(
      'http://127.0.0.1:8080',
      server.url,
    );
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: root, env, timeout: 80_000 });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toContain('"username":"alice"');
    expect(stdout).toMatch(/otpauth:\/\/totp\/Tessera:alice\?secret=[A-Z2-7]{32}&issuer=Tessera/);
    expect(stdout).toContain('"status":"active"');
    expect(stdout).toMatch(/"accessToken":"eyJ/);
    expect(lines.at(-1)).toBe('{"valid":false}');
  });

  it('points to the integration guide, the error table and the settings, each a file that is there', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    for (const doc of ['docs/integration.md', 'docs/errors.md', 'docs/configuration.md']) {
      expect(readme).toContain(`](${doc})`);
      expect((await readFile(join(root, doc), 'utf8')).length).toBeGreaterThan(0);
    }
  });
});
