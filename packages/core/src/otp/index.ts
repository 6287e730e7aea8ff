export * from './algorithms.js';
export * from './base32.js';
export * from './hotp.js';
export * from './otp-format-error.js';
export * from './otpauth-uri.js';
export * from './qr-code.js';
export * from './secret.js';
export * from './totp.js';
