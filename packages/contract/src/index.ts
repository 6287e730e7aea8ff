export * from './error-codes.js';
export * from './native/index.js';
export * from './twilio-credentials.js';
