/**
 * The README's cPanel examples (WHM with an admin's API token, UAPI's generate then set, HTTP Basic
 * with X-CPANEL-OTP, a `/login` session), run as written against a real server on an empty data
 * dir, after the walk-through's preamble and server-to-server block they follow on from (only the
 * port differs). If the README drifts from the dialects, this fails.
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

/** As in walkthrough.test.ts: `sleep` moves the authenticator's clock on instead of waiting. */
const APP_CLOCK = `
app_clock_offset=0
sleep() { app_clock_offset=$((app_clock_offset + $1)); }
oathtool() {
  command oathtool --now "$(date -u -d "@$(($(date +%s) + app_clock_offset))" '+%Y-%m-%d %H:%M:%S UTC')" "$@"
}
`;

function shellBlocks(section: string): string[] {
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-readme-cpanel-'));
  env = { ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_SECRET_KEY: randomBytes(32).toString('base64') } as Record<
    string,
    string
  >;
  server = await startServer(loadConfig({ ...env, TESSERA_SIGNUP: 'open', PORT: '0' }), new LogCapture());
});
afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('README cPanel examples', () => {
  it('list accounts through WHM, enable 2FA through UAPI, call with Basic and a code, and under a session', {
    timeout: 90_000,
  }, async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const walkThrough = readme.slice(readme.indexOf('## Walk-through'), readme.indexOf('## Second factors'));
    const [enroll = '', serverToServer = ''] = shellBlocks(walkThrough);
    // The walk-through's variables and `pick`: its lines up to the definition of pick.
    const preamble = enroll.slice(0, enroll.indexOf('\n', enroll.indexOf('pick() {')));
    const cpanel = shellBlocks(readme.slice(readme.indexOf('A cPanel script works'), readme.indexOf('## The web UI')));
    expect(cpanel).toHaveLength(3);
    expect(cpanel.join('\n')).not.toContain('root');
    expect(cpanel.join('\n')).not.toMatch(/cpsess\d/);
    const script = `set -euo pipefail\n${APP_CLOCK}\n${preamble}\n${serverToServer}\n${cpanel.join('\n')}`.replaceAll(
      'http://127.0.0.1:8080',
      server.url,
    );
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: root, env, timeout: 80_000 });
    const answers = stdout
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    const [verified, listed, set, basic, underSession] = answers;
    expect(verified).toEqual({ error: expect.objectContaining({ code: 'USER_NOT_FOUND' }) });
    expect(listed).toMatchObject({ metadata: { result: 1 }, data: { bob: { is_enabled: 0 } } });
    expect(set).toMatchObject({ func: 'set_user_configuration', result: { status: 1, data: { tfa_configured: 1 } } });
    expect(basic).toMatchObject({ func: 'get_user_configuration', result: { status: 1, data: { is_enabled: 1 } } });
    expect(underSession).toMatchObject({ metadata: { result: 1 }, data: { bob: { is_enabled: 1 } } });
  });
});
