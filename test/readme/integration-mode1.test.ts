/**
 * docs/integration.md, way 1 (Tessera holds the accounts): its shell example, run as written
 * after steps 1 to 3 of the README walk-through it follows on from, and its JavaScript check of
 * the access token with `jose`, run on the token that example printed (only the port differs).
 * If the guide drifts from the API, this fails.
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

/** The fenced blocks of `language` between `heading` and the next second-level heading. */
function blocksIn(markdown: string, heading: string, language: string): string[] {
  const start = markdown.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = markdown.slice(start + heading.length);
  const end = rest.search(/^## /m);
  const section = end === -1 ? rest : rest.slice(0, end);
  return [...section.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] ?? '');
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-integration-1-'));
  env = { ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_SECRET_KEY: randomBytes(32).toString('base64') } as Record<
    string,
    string
  >;
  // Started as the README's walk-through says (sign-up open).
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

describe('docs/integration.md, way 1', () => {
  it('signs alice in with her password and a code, and the platform checks the token with jose, as written', {
    timeout: 90_000,
  }, async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const [walkThrough = ''] = blocksIn(readme, '## Walk-through', 'sh');
    const enrolled = walkThrough.slice(0, walkThrough.indexOf('# 4.'));
    expect(enrolled).toContain('SECRET=');
    const guide = await readFile(join(root, 'docs/integration.md'), 'utf8');
    const heading = '## 1. Tessera holds the accounts';
    const [example = '', ...more] = blocksIn(guide, heading, 'sh');
    expect(more).toHaveLength(0);
    const script = `set -euo pipefail\n${APP_CLOCK}\n${enrolled}\n${example}`.replaceAll(
      'http://127.0.0.1:8080',
      server.url,
    );
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: root, env, timeout: 80_000 });
    const signedIn = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
    expect(signedIn).toMatchObject({ tokenType: 'Bearer', accessToken: expect.stringMatching(/^eyJ/) });

    // The guide's check of the token, with the token the sign-in answered.
    const [verifyJs = ''] = blocksIn(guide, heading, 'js');
    expect(verifyJs).toContain('jwtVerify');
    const program = `const accessToken = process.env.ACCESS_TOKEN;\n${verifyJs}\nconsole.log(JSON.stringify(payload));`;
    const checked = await promisify(execFile)(
      'node',
      ['--input-type=module', '-e', program.replaceAll('http://127.0.0.1:8080', server.url)],
      { cwd: root, env: { ...env, ACCESS_TOKEN: String(signedIn.accessToken) }, timeout: 30_000 },
    );
    const payload = JSON.parse(checked.stdout) as Record<string, unknown>;
    expect(payload).toMatchObject({ sub: expect.any(String), role: 'user', sid: expect.any(String) });
  });
});
