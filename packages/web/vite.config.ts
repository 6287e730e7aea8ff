import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/*
 * The UI is served by Tessera at /ui/ under a CSP without 'unsafe-inline': the build must put no
 * script or style inline (Vite emits the entry as a file and the CSS as a file; the
 * modulepreload polyfill, which Chromium, Firefox and Safari no longer need, is left out).
 * `@tessera/client` is bundled from its source, as the tests import every workspace package.
 */
export default defineConfig({
  root: here('.'),
  base: '/ui/',
  resolve: { alias: { '@tessera/client': here('../client/src/index.ts') } },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
  },
});
