import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

/** Where the API documentation (Swagger UI) is served; its pages and assets may be cached. */
export const DOCS_PREFIX = '/docs';

/*
 * The headers every answer carries. Helmet's set, with a Content-Security-Policy that lets the
 * documentation page load its own scripts, styles and images and nothing else, and that no page
 * may frame (clickjacking). Answers of the APIs carry tokens, secrets, QR codes and backup
 * codes: none of them may be stored by a browser or a proxy.
 */
export async function installSecurityHeaders(app: FastifyInstance): Promise<void> {
  const headers = helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        // Swagger UI sets styles on its elements at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
      },
    },
    frameguard: { action: 'deny' },
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    if (!isDocs(request.url)) reply.header('cache-control', 'no-store');
    done();
  });
}

interface HeaderSink {
  setHeader(name: string, value: string): void;
  removeHeader(name: string): void;
}
type HelmetMiddleware = (request: object, response: HeaderSink, next: (error?: unknown) => void) => void;

/**
 * The headers Helmet sets with these options, worked out once. @fastify/helmet builds Helmet's
 * middleware again on every request (parsing the policy each time, a few percent of a verify);
 * with no per-request part in them (no nonces), the headers are the same for every answer.
 * Helmet itself is loaded from @fastify/helmet, whose dependency it is.
 */
function helmetHeaders(options: object): Record<string, string> {
  const fromFastifyHelmet = createRequire(createRequire(import.meta.url).resolve('@fastify/helmet'));
  const helmet = fromFastifyHelmet('helmet') as (options: object) => HelmetMiddleware;
  const headers: Record<string, string> = {};
  helmet(options)(
    {},
    {
      setHeader: (name, value) => {
        headers[name.toLowerCase()] = value;
      },
      removeHeader: (name) => {
        delete headers[name.toLowerCase()];
      },
    },
    (error) => {
      if (error) throw error;
    },
  );
  if (Object.keys(headers).length === 0) throw new Error('Helmet set no headers');
  return headers;
}

function isDocs(url: string): boolean {
  return url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`) || url.startsWith(`${DOCS_PREFIX}?`);
}
