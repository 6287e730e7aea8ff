import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ERROR_TABLE_DOC, Health, Jwks, NotReady, Readiness } from '@tessera/contract';
import {
  type ConnectionLimits,
  type Core,
  DEFAULT_CONNECTION_LIMITS,
  DIALECT_NAMES,
  type DialectName,
  type TotpSecretBits,
} from '@tessera/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { dialectDocumentUrl, registerDialects } from './dialects/register-dialects.js';
import { capConnectionsPerAddress, httpServerOptions } from './http/connections.js';
import { installCors } from './http/cors.js';
import { ignoreContentTypeOfEmptyBodies } from './http/empty-body.js';
import { useStrictJsonBodyParser } from './http/json-body-parser.js';
import { registerLandingRoutes } from './http/landing.js';
import { lazySerializers } from './http/lazy-compilers.js';
import { lazyRequestLogger, OneLinePerRequest } from './http/logging.js';
import { installRateLimits, type RateLimitOptions, rateLimitGroups } from './http/rate-limit.js';
import { checkReadiness, databaseCheck, type ReadinessCheck } from './http/readiness.js';
import type { RedisLink } from './http/redis-link.js';
import { DOCS_PREFIX, installSecurityHeaders } from './http/security-headers.js';
import { validatorCompiler } from './http/validators.js';
import { installHttpMetrics } from './metrics/http-metrics.js';
import type { ServerMetrics } from './metrics/server-metrics.js';
import { NATIVE_PREFIX, nativeApiPlugin } from './native/native.plugin.js';
import { installNativeErrorHandling, nativeClientErrorHandler, nativeFrameworkErrors } from './native/native-errors.js';
import { documentRoute, finishDocument } from './native/openapi/native-document.js';
import { installWebUi, WEB_UI_PREFIX } from './web-ui/web-ui.plugin.js';

export interface BuildAppOptions {
  core: Core;
  /** A pino logger (see http/logging.ts); the same one the core logs to. */
  logger: FastifyBaseLogger;
  /** The vendor API shapes to serve beside the native API. @default all of them */
  dialects?: readonly DialectName[];
  /** Origins whose pages may call from a browser, with credentials. @default none */
  corsOrigins?: readonly string[];
  /** What `/ready` asks: the migrations not applied yet (throws when the database does not answer). */
  pendingMigrations?: () => Promise<string[]>;
  /** Further dependencies `/ready` reports beside the database (Redis, say), by name. */
  readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
  /** How long `/ready` waits for each check before calling it down. @default 3000 */
  readinessTimeoutMs?: number;
  /** The size of the secrets the cPanel dialects issue (TESSERA_CPANEL_SECRET_BITS); 160 unless given. */
  cpanelSecretBits?: TotpSecretBits;
  /**
   * Trust X-Forwarded-For from a reverse proxy: true for any, or the proxies' addresses or CIDR
   * ranges, comma-separated. @default false
   */
  trustProxy?: boolean | string;
  /** Requests per client address and route group, and where they are counted. @default the settings' defaults, in memory */
  rateLimit?: RateLimitOptions;
  /** Timeouts and the cap of connections per address. @default the settings' defaults */
  connections?: ConnectionLimits;
  /** A certificate (PEM, with its chain) and its key: the listener speaks HTTPS only. @default plain HTTP */
  tls?: { cert: Buffer; key: Buffer };
  /** `/ready` answers 503 while the rate limits' Redis is out of reach (TESSERA_REDIS_REQUIRED). @default false */
  redisRequired?: boolean;
  /** The built web UI's folder, served at /ui/ (TESSERA_WEB_UI); absent: no UI. @default none */
  webUiRoot?: string;
  /** Where requests and rate-limit refusals are counted (TESSERA_METRICS_PORT). @default not counted */
  metrics?: ServerMetrics;
}

/** Requests beyond this are refused (413): every legitimate body is a few hundred bytes. */
const BODY_LIMIT_BYTES = 16 * 1024;

/** Builds the HTTP app without listening, so tests drive it through inject(). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const connections = options.connections ?? DEFAULT_CONNECTION_LIMITS;
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new OneLinePerRequest(options.logger),
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: options.trustProxy ?? false,
    // Errors found before a route is chosen answer in the native error shape too.
    frameworkErrors: nativeFrameworkErrors,
    clientErrorHandler: nativeClientErrorHandler,
    // Fastify types its instance by the server option; the app uses only what an HTTP and an
    // HTTPS server have alike, so the HTTPS options are passed under the HTTP options' type.
    ...(options.tls
      ? ({ https: { ...httpServerOptions(connections), ...options.tls } } as unknown as {
          http: ReturnType<typeof httpServerOptions>;
        })
      : { http: httpServerOptions(connections) }),
    requestTimeout: connections.requestTimeoutMs,
    keepAliveTimeout: connections.keepAliveTimeoutMs,
    connectionTimeout: connections.idleTimeoutMs,
    schemaController: lazySerializers(),
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.server.headersTimeout = connections.headersTimeoutMs;
  capConnectionsPerAddress(app.server, connections.maxConnectionsPerIp);
  app.setValidatorCompiler(validatorCompiler);
  installNativeErrorHandling(app);
  useStrictJsonBodyParser(app);
  ignoreContentTypeOfEmptyBodies(app);
  // Every API here speaks JSON; a text body is refused (415) rather than parsed as a string.
  app.removeContentTypeParser('text/plain');

  await installSecurityHeaders(app);
  await installCors(app, options.corsOrigins ?? []);
  const metrics = options.metrics;
  if (metrics) installHttpMetrics(app, metrics);
  // Before any route: the limits attach to the routes as they are registered.
  const { redis } = await installRateLimits(app, {
    ...options.rateLimit,
    ...(metrics ? { onRefused: (group) => metrics.rateLimitRefused(group) } : {}),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tessera',
        version: '0.1.0',
        description:
          'Self-hosted two-factor authentication. Errors are always `{"error":{"code","message"}}` with a stable ' +
          `code; every code and its meaning: ${ERROR_TABLE_DOC}. Integration patterns: docs/integration.md. ` +
          'Settings: docs/configuration.md.',
      },
      externalDocs: { description: 'Every error code and its meaning', url: ERROR_TABLE_DOC },
      // Relative: the server that serves the document is the one it describes, whatever its address.
      servers: [{ url: '/', description: 'The server this document was read from' }],
      tags: [
        {
          name: 'accounts',
          description: 'Creating an account; changing your e-mail address or phone number (confirmed by a code).',
        },
        {
          name: 'sessions',
          description: 'Sign-in, the second-factor step, tokens, password recovery; your sessions and ending them.',
        },
        { name: 'factors', description: 'The signed-in account and its factors; checking a code.' },
        { name: 'api tokens', description: 'Long-lived tokens for scripts and services, `read` or `write`.' },
        { name: 'server to server', description: "Checking a user's code with an admin token." },
        {
          name: 'two-factor',
          description: 'Enabling and disabling methods, step-up challenges, backup codes, history, devices.',
        },
        {
          name: 'webauthn',
          description:
            'Security keys and passkeys: registration, the second-factor step, passkey sign-in without a password, ' +
            'step-up, and each key listed, renamed and removed. Off until the server has a relying party set.',
        },
        {
          name: 'admin',
          description:
            "Accounts a platform manages (create, look up, change, disable, enable, delete), other users' 2FA, " +
            'the policy, the issuer and signing keys: admin tokens only.',
        },
        {
          name: 'audit',
          description: 'The signed checkpoints of the audit trail and their public keys, for anyone to keep and check.',
        },
        { name: 'operations', description: 'Liveness, readiness and the public keys of the access tokens.' },
      ],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    // Names the contract's schemas (components.schemas), adds examples, and writes enums as `enum`.
    transform: documentRoute,
    transformObject: (document) =>
      'openapiObject' in document
        ? (finishDocument(document) as typeof document.openapiObject)
        : document.swaggerObject,
  });
  const dialects = options.dialects ?? DIALECT_NAMES;
  // /docs offers the native document and each dialect's, to choose from.
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    uiConfig: {
      urls: [
        { url: '/openapi.json', name: 'Tessera (native API)' },
        ...dialects.map((name) => ({ url: dialectDocumentUrl(name), name: `${name} dialect` })),
      ],
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerLandingRoutes(app, options.webUiRoot === undefined ? undefined : WEB_UI_PREFIX);
  const operations = ['operations'];
  // Load balancers poll it: never limited.
  app.get(
    '/health',
    {
      schema: {
        operationId: 'getHealth',
        tags: operations,
        summary: 'Liveness: the process answers',
        description:
          'Always 200 while the process runs; it asks nothing of the database (see /ready). Never rate-limited.',
        response: { 200: Health },
      },
      config: rateLimitGroups(),
    },
    async () => ({ status: 'ok' as const }),
  );
  // For orchestrators: 200 when every dependency Tessera needs answers, else 503; each one's state either way.
  const readinessChecks = {
    ...options.readinessChecks,
    ...(redis ? { redis: redisReadiness(redis, options.redisRequired ?? false) } : {}),
    database: databaseCheck(options.pendingMigrations ?? (async () => [])),
  };
  app.get(
    '/ready',
    {
      schema: {
        operationId: 'getReadiness',
        tags: operations,
        summary: 'Readiness: the database answers and its migrations are current',
        description:
          'Each dependency under `checks` (`database`, and `redis` when configured) with its state: `up`, ' +
          '`degraded` (Tessera serves without it) or `down`. 200 `ready` or `degraded` while Tessera can serve; ' +
          '503 `not_ready` with the usual error body (NOT_READY, the reason in the message) when the database ' +
          'does not answer within the bound (3 s) or migrations are pending. Never rate-limited.',
        response: { 200: Readiness, 503: NotReady },
      },
      config: rateLimitGroups(),
    },
    async (_request, reply) => {
      const report = await checkReadiness(readinessChecks, options.readinessTimeoutMs);
      if (report.status !== 'not_ready') return { status: report.status, checks: report.checks };
      const down = Object.entries(report.checks)
        .filter(([, check]) => check.status === 'down')
        .map(([name, check]) => `${name}: ${check.message ?? 'down'}`);
      return reply.status(503).send({
        status: 'not_ready' as const,
        checks: report.checks,
        error: { code: 'NOT_READY' as const, message: `Not ready: ${down.join('; ')}.` },
      });
    },
  );
  // The public keys that verify access tokens, so a platform can check them without calling back.
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        operationId: 'getJwks',
        tags: operations,
        summary: 'The public keys that verify access tokens (JWKS, RFC 7517)',
        description:
          "Pick the key by the `kid` in the token's header. After a rotation the old key stays listed until the " +
          'tokens it signed have expired; cache the set and fetch it again on an unknown `kid`.',
        response: { 200: Jwks },
      },
    },
    async () => options.core.sessions.jwks(),
  );

  await app.register(nativeApiPlugin(options.core), { prefix: NATIVE_PREFIX });
  await registerDialects(app, options.core, dialects, { cpanelSecretBits: options.cpanelSecretBits ?? 160 });
  if (options.webUiRoot !== undefined) await installWebUi(app, options.webUiRoot);
  return app;
}

/** Redis on `/ready`: degraded while out of reach, or down when the operator made it required. */
function redisReadiness(redis: RedisLink, required: boolean): ReadinessCheck {
  return async () => {
    const check = redis.check();
    return check.status === 'degraded' && required
      ? { ...check, status: 'down', message: 'Redis is out of reach' }
      : check;
  };
}
