export * from './error-codes.js';
export * from './native/index.js';
