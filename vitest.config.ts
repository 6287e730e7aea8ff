import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

/**
 * Test files run in parallel forks: at least two, since much of a file's time is spent waiting
 * on a database or a child process (vitest's own default is one fork on a two-core machine).
 * The count is fixed (min = max): with isolate off, a pool allowed to shrink ends the run with
 * "Terminating worker thread".
 */
const forks = Math.max(2, availableParallelism());

// Tests import the workspace packages from source, so `npm test` never runs against a stale build.
export default defineConfig({
  resolve: {
    alias: {
      '@tessera/contract': source('contract'),
      '@tessera/core': source('core'),
      '@tessera/storage-kysely': source('storage-kysely'),
      '@tessera/delivery': source('delivery'),
      '@tessera/server': source('server'),
      '@tessera/client': source('client'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: forks,
    minWorkers: forks,
    // A fork keeps the modules it has loaded from one test file to the next instead of loading
    // the whole server again for each (most of a run's time when isolated). Safe because no
    // module holds mutable state and no test mocks modules or changes process.env; a test that
    // needs to must restore what it changed.
    isolate: false,
  },
});
