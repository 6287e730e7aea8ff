import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the web UI is served; every page of it is a path under this. */
export const WEB_UI_PREFIX = '/ui/';

/**
 * The UI's own policy, stricter than the API's: its scripts and styles come from its own files
 * only (no inline script or style, no eval), it talks only to this origin, it loads nothing from
 * anywhere else, and DOM sinks take no strings that could become script (Trusted Types). The QR
 * code is an `<img>` with a data: URL, the one thing not loaded from a file.
 */
export const WEB_UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
].join('; ');

/** Vite names these files after their content, so a new build never reuses a name. */
const ASSETS = `${WEB_UI_PREFIX}assets/`;

/** The built UI of `@tessera/web` (`npm run build` makes it; `npm ci` and `npm start` run that). */
export function builtWebUiRoot(): string {
  const packageJson = createRequire(import.meta.url).resolve('@tessera/web/package.json');
  return join(dirname(packageJson), 'dist');
}

/**
 * Serves the single-page UI under /ui/ and sends `/` there. Files with a content hash in their
 * name (assets/) may be cached for good; index.html never is, so a new build is seen at once.
 * Any other path under /ui/ is a page of the app: it gets index.html and the app's router
 * draws it.
 */
export async function installWebUi(app: FastifyInstance, root: string): Promise<void> {
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(
      `The web UI is not built (no ${join(root, 'index.html')}): run \`npm run build\`, or set TESSERA_WEB_UI=off.`,
    );
  }
  await app.register(async (ui) => {
    ui.addHook('onRequest', async (request, reply) => {
      reply.header('content-security-policy', WEB_UI_CSP);
      reply.header(
        'cache-control',
        request.url.startsWith(ASSETS) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    });
    await ui.register(fastifyStatic, {
      root,
      prefix: WEB_UI_PREFIX,
      wildcard: false,
      index: false,
      // The hook above says how long each answer may be kept.
      cacheControl: false,
    });
    const page = (reply: FastifyReply) => reply.sendFile('index.html');
    ui.get(WEB_UI_PREFIX, { schema: { hide: true } }, (_request, reply) => page(reply));
    ui.get(`${WEB_UI_PREFIX}*`, { schema: { hide: true } }, (_request, reply) => page(reply));
  });
  app.get('/ui', { schema: { hide: true } }, (_request, reply) => reply.redirect(WEB_UI_PREFIX, 301));
}
