import { describe } from 'vitest';
import { postgresForTests } from './test-support/postgres-for-tests.js';
import { describeRepositoryContract } from './test-support/repository-contract.js';

const available = await postgresForTests('PostgreSQL contract tests');

describe.skipIf(!available)('PostgreSQL', () => {
  describeRepositoryContract('postgres');
});
