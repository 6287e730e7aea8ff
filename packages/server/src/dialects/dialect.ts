import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ErrorCode } from '@tessera/contract';
import type { Core, DialectName, TotpSecretBits } from '@tessera/core';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';

/** The Fastify instance a dialect registers its routes on: its own encapsulation context. */
export type DialectApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/**
 * A vendor's API shape served over the one core: routes at the vendor's own paths, its own
 * request and response shapes, its own error body. A dialect holds no 2FA rule: each handler
 * parses the vendor's request, makes one core call and renders the vendor's answer.
 */
export interface Dialect {
  name: DialectName;
  /** The title and description of its OpenAPI document (`/openapi/<name>.json`). */
  title: string;
  description: string;
  /** Security schemes its OpenAPI document names. */
  securitySchemes: Record<string, Record<string, string>>;
  /**
   * The path prefixes the vendor's API owns (`/api/v2/my`): an unknown path under one, or a
   * method a path does not take, is answered 404 in this dialect's error shape, not the native one.
   */
  prefixes: readonly string[];
  /**
   * The example of an error answer with this status for its OpenAPI document, rendered as the
   * dialect renders errors; undefined where the status is not an error.
   */
  errorExample?(status: number): unknown;
  /**
   * Descriptions and examples by operationId, for a dialect that keeps them beside its routes
   * rather than in each route's schema (a route's own `description` and `'x-examples'` win).
   */
  operationDocs?: Record<string, { description: string } & import('./openapi-document.js').OperationExamples>;
  /** Registers routes and error handling on a context of its own. */
  register(app: DialectApp, core: Core, options: DialectOptions): Promise<void>;
}

/** What the server's settings say to the dialects. */
export interface DialectOptions {
  /** `TESSERA_CPANEL_SECRET_BITS`: the size of the secrets WHM and UAPI issue. */
  cpanelSecretBits: TotpSecretBits;
}

/** What a dialect answers for one error code: a status, and the vendor's own code where it has codes. */
export interface DialectError {
  status: number;
  vendorCode?: string;
}

/**
 * Route config: where one route answers a core error differently from the rest of its dialect
 * (Mudbase's login answers a wrong password 401, its disable 400).
 */
export interface DialectRouteConfig {
  errorOverrides?: Partial<DialectErrorTable>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    errorOverrides?: Partial<Record<import('@tessera/contract').ErrorCode, DialectError>>;
  }
}

/** Every error code of the core mapped (a new code is a compile error until each dialect maps it). */
export type DialectErrorTable = Record<ErrorCode, DialectError>;
