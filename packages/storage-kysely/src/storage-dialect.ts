import type { Storage } from '@tessera/core';

/** The database engines this package supports. */
export type StorageDialect = Storage['dialect'];
