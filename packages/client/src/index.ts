export { TesseraClient, type TesseraClientOptions } from './client.js';
export {
  isTesseraError,
  TesseraError,
  type TesseraErrorBody,
  type TesseraErrorCode,
  type UnexpectedResponseCode,
} from './error.js';
export type * from './generated/index.js';
export { OPERATIONS, type OperationId, type OperationTypes } from './generated/operations.gen.js';
export type { BodyOf, PathOf, QueryOf, ResultOf, Tokens, TokensListener } from './transport.js';
export {
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookEvent,
  type WebhookHeaders,
  WebhookVerificationError,
} from './webhook-verifier.js';
