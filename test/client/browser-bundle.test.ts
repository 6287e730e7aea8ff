import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { build, type Rollup } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSdkServer } from './sdk-support.js';

/**
 * The web UI is built on @tessera/client with Vite: the package must bundle for a browser with
 * nothing Node-only in it, and work there, across origins, against a real server.
 */
let pageServer: Server;
let pageOrigin: string;
beforeAll(async () => {
  // The page is served by a server of its own: another origin than the API's, as the web UI's
  // development server is. The bundle is built before any request comes.
  pageServer = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname;
    const script = files.get(path.slice(1));
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><script type="module" src="/page.js"></script>');
    } else if (script !== undefined) {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      response.end(script);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => pageServer.close(() => resolve())));
const server = useSdkServer(() => ({ corsOrigins: [pageOrigin] }));

const clientSource = fileURLToPath(new URL('../../packages/client/src/index.ts', import.meta.url));

/** What the page does with the SDK; its result lands in window.result. */
const PAGE_SCRIPT = `
import { TesseraClient, isTesseraError } from '@tessera/client';
const baseUrl = new URL(location.href).searchParams.get('api');
const heard = [];
const client = new TesseraClient({ baseUrl, onTokens: (tokens) => heard.push(tokens === null ? null : 'tokens') });
const username = 'browser' + Math.random().toString(16).slice(2, 10);
const run = async () => {
  await client.auth.signUp({ username, password: 'correct horse battery' });
  const signedIn = await client.auth.signIn({ username, password: 'correct horse battery' });
  const me = await client.me.get();
  const enrollment = await client.factors.enrollTotp();
  let refused;
  try {
    await client.auth.signIn({ username, password: 'not the password' });
  } catch (error) {
    refused = { isTesseraError: isTesseraError(error, 'INVALID_CREDENTIALS'), status: error.status, name: error.name };
  }
  // PATCH too passes the CORS preflight: an admin page updates users with it.
  const forbidden = await client.admin.users.update(me.account.id, { email: null }).catch((error) => error.code);
  await client.auth.signOut();
  return { status: signedIn.status, username: me.account.username, otpauth: enrollment.otpauthUri, refused, forbidden, heard };
};
run().then((result) => { window.result = result; }, (error) => { window.result = { failed: String(error) }; });
`;

let files: Map<string, string>;
let warnings: string[];
let browser: Browser;

beforeAll(async () => {
  warnings = [];
  const output = (await build({
    configFile: false,
    logLevel: 'silent',
    root: fileURLToPath(new URL('.', import.meta.url)),
    resolve: { alias: { '@tessera/client': clientSource } },
    plugins: [
      {
        name: 'page',
        resolveId: (id) => (id === 'virtual:page' ? '\0virtual:page' : undefined),
        load: (id) => (id === '\0virtual:page' ? PAGE_SCRIPT : undefined),
      },
    ],
    build: {
      write: false,
      target: 'es2022',
      minify: false,
      rollupOptions: {
        input: 'virtual:page',
        output: { entryFileNames: 'page.js', format: 'es' },
        onwarn: (warning) => void warnings.push(warning.message),
      },
    },
  })) as Rollup.RollupOutput;
  files = new Map(
    output.output.flatMap((item) => (item.type === 'chunk' ? [[item.fileName, item.code] as const] : [])),
  );
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
}, 60_000);
afterAll(async () => browser?.close());

describe('@tessera/client in a browser', () => {
  it('bundles with Vite without a warning and without any Node module', () => {
    expect(warnings).toEqual([]);
    const bundle = files.get('page.js') ?? '';
    expect(bundle).toContain('class TesseraClient');
    expect(bundle).not.toMatch(/from ["']node:|require\(/);
  });

  it('signs up, signs in, enrolls and reads a typed error from a page on another origin', async () => {
    const page = await browser.newPage();
    await page.goto(`${pageOrigin}/?api=${encodeURIComponent(server.baseUrl)}`);
    const result = await page.waitForFunction(() => (globalThis as { result?: unknown }).result);
    expect(await result.jsonValue()).toEqual({
      status: 'signed_in',
      username: expect.stringMatching(/^browser/),
      otpauth: expect.stringMatching(/^otpauth:\/\/totp\//),
      refused: { isTesseraError: true, status: 401, name: 'TesseraError' },
      forbidden: 'FORBIDDEN',
      heard: ['tokens', null],
    });
    await page.close();
  });
});
