/**
 * docs/integration.md, way 2 (the platform keeps its users): its shell example, run as written
 * against a real server on an empty data dir (only the port differs). If the guide drifts from
 * the API, this fails.
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

/** The ```sh blocks between `heading` and the next second-level heading. */
function shellBlocksIn(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = markdown.slice(start + heading.length);
  const end = rest.search(/^## /m);
  const section = end === -1 ? rest : rest.slice(0, end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tessera-integration-'));
  env = { ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_SECRET_KEY: randomBytes(32).toString('base64') } as Record<
    string,
    string
  >;
  server = await startServer(loadConfig({ ...env, PORT: '0' }), new LogCapture());
});
afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('docs/integration.md, way 2', () => {
  it('creates a passwordless account by externalId, installs a key and verifies by externalId, as written', {
    timeout: 90_000,
  }, async () => {
    const guide = await readFile(join(root, 'docs/integration.md'), 'utf8');
    const blocks = shellBlocksIn(guide, '## 2. The platform keeps its users');
    expect(blocks).toHaveLength(1);
    const [example = ''] = blocks;
    expect(example).toContain('"externalId":"4711"');
    const script = `set -euo pipefail\n${example}`.replaceAll('http://127.0.0.1:8080', server.url);
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: root, env, timeout: 80_000 });
    const lines = stdout.trim().split('\n');
    expect(lines.at(-3)).toBe('{"valid":true}');
    expect(lines.at(-2)).toBe('{"valid":false}');
    const lookup = JSON.parse(lines.at(-1) ?? '') as { user: Record<string, unknown>; factors: { method?: string }[] };
    expect(lookup.user).toMatchObject({
      username: 'platform-4711',
      externalId: '4711',
      hasPassword: false,
      twoFactorEnabled: true,
      methods: ['totp'],
    });
    // The account cannot sign in with a password: it has none.
    const signIn = await fetch(`${server.url}/api/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'platform-4711', password: 'a long admin password' }),
    });
    expect(signIn.status).toBe(401);
  });
});
