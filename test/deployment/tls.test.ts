import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { type Agent, get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { ConfigError, loadConfig } from '@tessera/core';
import { type RunningServer, startServer } from '@tessera/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogCapture } from '../support/log-capture.js';

/**
 * TESSERA_TLS_CERT and TESSERA_TLS_KEY: Tessera's own listener speaks HTTPS, checked with a
 * self-signed certificate made by openssl and Node's own HTTPS client.
 */
let dir: string;
let server: RunningServer;
let cert: Buffer;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  cert = await readFile(join(dir, 'cert.pem'));
  env = {
    TESSERA_DATA_DIR: dir,
    TESSERA_SECRET_KEY: randomBytes(32).toString('base64'),
    PORT: '0',
    HOST: '127.0.0.1',
    TESSERA_TLS_CERT: join(dir, 'cert.pem'),
    TESSERA_TLS_KEY: join(dir, 'key.pem'),
  };
  server = await startServer(loadConfig(env), new LogCapture(), env);
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function port(): number {
  const address = server.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening');
  return address.port;
}

function getHttps(options: {
  ca?: Buffer;
  agent?: Agent;
}): Promise<{ status: number; body: string; protocol: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsGet(
      { host: '127.0.0.1', port: port(), path: '/health', servername: 'localhost', ...options },
      (response) => {
        // Read while the socket is still the response's: it is handed back to the agent at the end.
        const protocol = (response.socket as TLSSocket).getProtocol() ?? '';
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, protocol }));
      },
    );
    request.on('error', reject);
  });
}

describe('HTTPS on Tessera’s own listener', () => {
  it('answers over TLS to a client that trusts the certificate', async () => {
    const answer = await getHttps({ ca: cert });
    expect(answer.status).toBe(200);
    expect(answer.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok' });
  });

  it('is refused by a client that does not trust it, and plain HTTP gets no answer', async () => {
    await expect(getHttps({})).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const plain = await new Promise<string>((resolve) => {
      const request = httpGet({ host: '127.0.0.1', port: port(), path: '/health' }, (response) =>
        resolve(`answered ${response.statusCode}`),
      );
      request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(plain).not.toMatch(/^answered 200/);
  });

  it('refuses to start with one of the two set, a file it cannot read, or a key that is not the certificate’s', async () => {
    expect(() => loadConfig({ ...env, TESSERA_TLS_KEY: undefined } as Record<string, string | undefined>)).toThrow(
      /TESSERA_TLS_CERT and TESSERA_TLS_KEY must be set together/,
    );
    const missing = { ...env, TESSERA_TLS_KEY: join(dir, 'nope.pem') };
    await expect(startServer(loadConfig(missing), new LogCapture(), missing)).rejects.toThrow(
      /TESSERA_TLS_KEY: cannot read .*nope\.pem \(ENOENT\)/,
    );
    await writeFile(join(dir, 'not-a-key.pem'), 'hello');
    const garbage = { ...env, TESSERA_TLS_KEY: join(dir, 'not-a-key.pem') };
    await expect(startServer(loadConfig(garbage), new LogCapture(), garbage)).rejects.toBeInstanceOf(ConfigError);
  });
});
