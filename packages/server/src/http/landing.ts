import { readFile } from 'node:fs/promises';
import { ERROR_TABLE_DOC } from '@tessera/contract';
import type { FastifyInstance } from 'fastify';
import { DOCS_PREFIX } from './security-headers.js';

/** docs/errors.md of the repository, from src/http or dist/http alike. */
const ERRORS_FILE = new URL('../../../../docs/errors.md', import.meta.url);

/** Where a person or a program starts: the links `GET /` answers. */
export const LANDING_LINKS = {
  docs: DOCS_PREFIX,
  openapi: '/openapi.json',
  errors: ERROR_TABLE_DOC,
  health: '/health',
  ready: '/ready',
} as const;

/**
 * `GET /` points a browser to the web UI (or to /docs where the UI is off), and gives a program
 * the links as JSON. `GET /docs/errors.md` serves the table of error codes the document links
 * to, so the link works on every running server.
 */
export function registerLandingRoutes(app: FastifyInstance, webUi: string | undefined): void {
  const links = webUi === undefined ? LANDING_LINKS : { ui: webUi, ...LANDING_LINKS };
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    if ((request.headers.accept ?? '').includes('text/html')) return reply.redirect(webUi ?? DOCS_PREFIX, 302);
    return { name: 'Tessera', links };
  });
  let errorsTable: Promise<string | undefined> | undefined;
  app.get(ERROR_TABLE_DOC, { schema: { hide: true } }, async (_request, reply) => {
    // An install without the docs folder answers as for any unknown path.
    errorsTable ??= readFile(ERRORS_FILE, 'utf8').catch(() => undefined);
    const text = await errorsTable;
    if (text === undefined) return reply.callNotFound();
    return reply.type('text/markdown; charset=utf-8').send(text);
  });
}
