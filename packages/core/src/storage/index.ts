export * from './audit-records.js';
export * from './audit-repository.js';
export * from './records.js';
export * from './repositories.js';
