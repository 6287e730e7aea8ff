export * from './build-app.js';
export * from './http/logging.js';
export * from './http/rate-limit.js';
export * from './http/readiness.js';
export * from './main.js';
export * from './runtime.js';
export * from './secret-key-file.js';
export * from './web-ui/web-ui.plugin.js';
