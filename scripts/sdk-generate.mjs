// Regenerates what @tessera/client derives from the native API: packages/client/openapi.json, the
// document a running server serves, and packages/client/src/generated/, the TypeScript types
// @hey-api/openapi-ts makes from it. Run it with `npm run sdk:generate`, which builds the
// packages first: this script starts the compiled server, as `tessera serve` does.
// src/generated/operations.gen.ts, the table of operations, is rendered from the same document.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../packages/core/dist/index.js';
import { startServer } from '../packages/server/dist/index.js';
import { renderOperations } from './sdk-operations.mjs';

const clientDir = fileURLToPath(new URL('../packages/client/', import.meta.url));
const documentPath = join(clientDir, 'openapi.json');

const dataDir = await mkdtemp(join(tmpdir(), 'tessera-sdk-'));
// The web UI is no part of the document, and may not be built yet.
const env = {
  TESSERA_DATA_DIR: dataDir,
  TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
  PORT: '0',
  TESSERA_WEB_UI: 'off',
};
// The server's request log is of no interest here.
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const server = await startServer(loadConfig(env), quiet, env);
try {
  const response = await fetch(new URL('/openapi.json', server.url));
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
  await writeFile(documentPath, `${JSON.stringify(await response.json(), null, 2)}\n`);
} finally {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
}

// openapi-ts empties src/generated before writing its own files there, so the table comes after.
execFileSync('npx', ['openapi-ts'], { cwd: clientDir, stdio: 'inherit' });
const document = JSON.parse(await readFile(documentPath, 'utf8'));
await writeFile(join(clientDir, 'src/generated/operations.gen.ts'), renderOperations(document));
// Formatted as `npm run format` would, so that formatting the repository changes nothing here.
execFileSync('npx', ['biome', 'format', '--write', 'openapi.json', 'src/generated'], {
  cwd: clientDir,
  stdio: 'inherit',
});
