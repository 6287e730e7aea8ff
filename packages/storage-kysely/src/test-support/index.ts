export { postgresAvailable } from './postgres-available.js';
export { postgresForTests } from './postgres-for-tests.js';
export { DEFAULT_TEST_DATABASE_URL, testDatabaseKind, testDatabaseUrl } from './test-database.js';
export { openTestStorage, type TestStorage, type TestStorageOptions } from './test-storage.js';
