import { randomBytes } from 'node:crypto';
import { OPERATIONS, type OperationId, TesseraClient, type TesseraClientOptions, TesseraError } from '@tessera/client';
import { DEFAULT_TOTP_PARAMS, decodeBase32, SYSTEM_ACTOR, totpAt } from '@tessera/core';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createHarness, type Harness, type HarnessOptions } from '../support/harness.js';

/**
 * The SDK's tests run against the whole server listening on a real port, called with the real
 * fetch: what an application using @tessera/client does. Every request a client of this file
 * sends is matched to the operation of the document it is, so that a test named for an
 * operation (`forOperation`) fails unless the SDK really called that operation.
 */
export interface SdkServer {
  h: Harness;
  baseUrl: string;
  /** A client of this server that records what it calls; options as TesseraClient's. */
  client(options?: Omit<TesseraClientOptions, 'baseUrl'>): TesseraClient;
}

/** Operations by how specific their path is: `/admin/users/lookup` before `/admin/users/{userId}`. */
const MATCHERS = (Object.entries(OPERATIONS) as [OperationId, (typeof OPERATIONS)[OperationId]][])
  .map(([id, { method, path }]) => ({
    id,
    method,
    pattern: new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`),
    parameters: (path.match(/\{/g) ?? []).length,
  }))
  .sort((a, b) => a.parameters - b.parameters);

function operationOf(method: string, url: string): OperationId | undefined {
  const { pathname } = new URL(url);
  return MATCHERS.find((m) => m.method === method && m.pattern.test(pathname))?.id;
}

/** The operations the clients of this file have called during the running test. */
let called: OperationId[] = [];

const recordingFetch: typeof fetch = (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
  const id = operationOf(method, url);
  if (id) called.push(id);
  return fetch(input, init);
};

/**
 * One server for the test file, listening on 127.0.0.1, closed after the file. The options may
 * be a function, read when the server starts (after the file's earlier beforeAll hooks).
 */
export function useSdkServer(options: HarnessOptions | (() => HarnessOptions) = {}): SdkServer {
  const server: Partial<SdkServer> = {};
  beforeAll(async () => {
    const h = await createHarness(typeof options === 'function' ? options() : options);
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const address = h.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
    const baseUrl = `http://127.0.0.1:${address.port}`;
    Object.assign(server, {
      h,
      baseUrl,
      client: (clientOptions: Omit<TesseraClientOptions, 'baseUrl'> = {}) =>
        new TesseraClient({ fetch: recordingFetch, ...clientOptions, baseUrl }),
    });
  });
  beforeEach(() => {
    called = [];
  });
  afterAll(async () => server.h?.close());
  return server as SdkServer;
}

/**
 * A test of one SDK operation: it fails if, by its end, no client of the file called that
 * operation. test/client/coverage.test.ts checks every operation of the document has one.
 */
export function forOperation(id: OperationId, title: string, test: () => Promise<void>): void {
  it(`${id}: ${title}`, async () => {
    await test();
    expect(called, `the test of ${id} never called it`).toContain(id);
  });
}

export const PASSWORD = 'correct horse battery';

export function uniqueName(prefix = 'sdk'): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

/** A user made through the core (so an admin can be made too) and a client signed in as them. */
export async function signedInClient(
  server: SdkServer,
  options: { role?: 'user' | 'admin'; onTokens?: TesseraClientOptions['onTokens'] } = {},
): Promise<{ client: TesseraClient; id: string; username: string; email: string }> {
  const username = uniqueName();
  const email = `${username}@example.test`;
  const user = await server.h.core.accounts.create(SYSTEM_ACTOR, {
    username,
    password: PASSWORD,
    email,
    role: options.role ?? 'user',
  });
  const client = server.client(options.onTokens ? { onTokens: options.onTokens } : {});
  const result = await client.auth.signIn({ username, password: PASSWORD });
  if (result.status !== 'signed_in') throw new Error(`sign-in answered ${result.status}`);
  return { client, id: user.id, username, email };
}

/** The TOTP code of a base32 secret at the harness clock's time. */
export function totpCode(server: SdkServer, secret: string): string {
  const now = Math.floor(server.h.clock.now().getTime() / 1000);
  return totpAt(decodeBase32(secret), now, DEFAULT_TOTP_PARAMS);
}

/**
 * Enrolls and confirms an authenticator through the SDK, then moves the clock one step on so
 * the next code is fresh. Returns the secret.
 */
export async function enrollTotpWithSdk(
  server: SdkServer,
  client: TesseraClient,
): Promise<{ secret: string; factorId: string }> {
  const enrollment = await client.factors.enrollTotp();
  await client.factors.confirm(enrollment.factor.id, { code: totpCode(server, enrollment.secret) });
  server.h.clock.advanceSeconds(30);
  return { secret: enrollment.secret, factorId: enrollment.factor.id };
}

/** The TesseraError a call must be refused with (any other outcome fails the test). */
export async function rejection(promise: Promise<unknown>): Promise<TesseraError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TesseraError) return error;
    throw error;
  }
  throw new Error('expected the call to be refused');
}
