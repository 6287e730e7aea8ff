import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests import the workspace packages from source, so `npm test` never runs against a stale build.
export default defineConfig({
  resolve: {
    alias: {
      '@tessera/contract': source('contract'),
      '@tessera/core': source('core'),
      '@tessera/storage-kysely': source('storage-kysely'),
      '@tessera/delivery': source('delivery'),
      '@tessera/server': source('server'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
  },
});
