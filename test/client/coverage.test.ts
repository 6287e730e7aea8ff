import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@hey-api/openapi-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationsOf, renderOperations } from '../../scripts/sdk-operations.mjs';
import { createHarness, type Harness } from '../support/harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const clientDir = join(root, 'packages/client');
const biome = join(root, 'node_modules/.bin/biome');

interface Document {
  paths: Record<string, Record<string, { operationId?: string }>>;
}

let h: Harness;
let committed: Document;
beforeAll(async () => {
  h = await createHarness();
  committed = JSON.parse(await readFile(join(clientDir, 'openapi.json'), 'utf8')) as Document;
});
afterAll(async () => h.close());

/** A file formatted as the repository formats it (generated files are committed formatted). */
function formatted(text: string, name: string): string {
  return execFileSync(biome, ['format', `--stdin-file-path=${name}`], { input: text, cwd: root, encoding: 'utf8' });
}

const regenerate = 'run `npm run sdk:generate` and commit the result';

describe('@tessera/client cannot drift from the server', () => {
  it('its openapi.json is the document the server serves', async () => {
    const served = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(committed, `packages/client/openapi.json is stale: ${regenerate}`).toEqual(served);
  });

  it('its operation table is the one the document gives', async () => {
    const table = await readFile(join(clientDir, 'src/generated/operations.gen.ts'), 'utf8');
    expect(table, regenerate).toBe(formatted(renderOperations(committed), 'operations.gen.ts'));
  });

  it('its types are the ones the generator makes from the document', async () => {
    const output = await mkdtemp(join(tmpdir(), 'tessera-sdk-types-'));
    try {
      await createClient({
        input: join(clientDir, 'openapi.json'),
        output: { path: output },
        plugins: ['@hey-api/typescript'],
        logs: { level: 'silent', file: false },
      });
      const generated = await readFile(join(output, 'types.gen.ts'), 'utf8');
      const committedTypes = await readFile(join(clientDir, 'src/generated/types.gen.ts'), 'utf8');
      expect(committedTypes, regenerate).toBe(formatted(generated, 'types.gen.ts'));
    } finally {
      await rm(output, { recursive: true, force: true });
    }
  });
});

describe('@tessera/client is tested for every operation', () => {
  it('every operation of the document has a forOperation test in test/client', async () => {
    const directory = fileURLToPath(new URL('./', import.meta.url));
    const tested = new Set<string>();
    for (const file of (await readdir(directory)).filter((name) => name.endsWith('.test.ts'))) {
      const text = await readFile(join(directory, file), 'utf8');
      for (const match of text.matchAll(/forOperation\(\s*'(\w+)'/g)) tested.add(match[1] ?? '');
    }
    const untested = operationsOf(committed)
      .map((operation) => operation.id)
      .filter((id) => !tested.has(id));
    expect(untested, 'operations without an SDK test').toEqual([]);
  });
});
