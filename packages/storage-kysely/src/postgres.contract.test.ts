import { describe } from 'vitest';
import { describeStorageContract } from './test-support/contract/index.js';
import { postgresForTests } from './test-support/postgres-for-tests.js';

const available = await postgresForTests('PostgreSQL contract tests');

describe.skipIf(!available)('PostgreSQL', () => {
  describeStorageContract('postgres');
});
