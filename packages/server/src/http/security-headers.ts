import helmet from '@fastify/helmet';
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
  await app.register(helmet, {
    global: true,
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
  app.addHook('onRequest', async (request, reply) => {
    if (!isDocs(request.url)) reply.header('cache-control', 'no-store');
  });
}

function isDocs(url: string): boolean {
  return url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`) || url.startsWith(`${DOCS_PREFIX}?`);
}
