export * from './records.js';
export * from './repositories.js';
