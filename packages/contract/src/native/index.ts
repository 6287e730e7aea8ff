export * from './account.schema.js';
export * from './api-token.schema.js';
export * from './error.schema.js';
export * from './factor.schema.js';
export * from './session.schema.js';
export * from './two-factor.schema.js';
