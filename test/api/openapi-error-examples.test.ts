/**
 * Property: the API document lists, for each native operation and error status, the codes that
 * operation can answer, as its route declares them (plus those its shape implies), with one
 * example each whose body carries that code. No operation borrows another's codes (all 409s were
 * USERNAME_TAKEN, all 429s RATE_LIMITED, /verify's SECOND_FACTOR_LOCKED included).
 */
import type { ErrorCode } from '@tessera/contract';
import { routeErrorCodes } from '@tessera/server';
import Fastify, { type RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declaredOn } from '../../packages/server/src/native/declared-errors.js';
import { NATIVE_PREFIX, nativeApiPlugin } from '../../packages/server/src/native/native.plugin.js';
import { createHarness, type Harness, json } from '../support/harness.js';

interface ErrorMedia {
  examples?: Record<string, { summary?: string; value: { error: { code: string } } }>;
}
interface Operation {
  operationId: string;
  responses: Record<string, { content?: { 'application/json'?: ErrorMedia } }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

let h: Harness;
let doc: Document;
/** Every native route as registered: method, URL and schema, read from the routes themselves. */
const routes: RouteOptions[] = [];
beforeAll(async () => {
  h = await createHarness();
  doc = json<Document>(await h.app.inject({ method: 'GET', url: '/openapi.json' }));
  const probe = Fastify();
  probe.addHook('onRoute', (route) => {
    if (route.schema) routes.push(route);
  });
  await probe.register(nativeApiPlugin(h.core), { prefix: NATIVE_PREFIX });
  await probe.close();
});
afterAll(async () => h.close());

/** `/api/v1/me/2fa/enable/:flowId` as the document writes it. */
function documentPath(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}');
}

function examplesOf(path: string, method: string, status: number): ErrorMedia['examples'] {
  return doc.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.examples;
}

describe('error examples per operation', () => {
  it('come from the route declarations: one example per declared code, under each status', () => {
    expect(routes.length).toBeGreaterThan(70);
    const problems: string[] = [];
    for (const route of routes) {
      for (const method of [route.method].flat()) {
        if (method === 'HEAD') continue;
        const path = documentPath(route.url);
        const at = `${method} ${path}`;
        const expected = routeErrorCodes({ ...route.schema, method });
        for (const [status, codes] of expected) {
          const examples = examplesOf(path, method.toLowerCase(), status) ?? {};
          if (JSON.stringify(Object.keys(examples)) !== JSON.stringify(codes)) {
            problems.push(`${at} ${status}: examples ${Object.keys(examples).join(',')} ≠ declared ${codes.join(',')}`);
          }
          for (const [name, example] of Object.entries(examples)) {
            if (example.value.error.code !== name) problems.push(`${at} ${status}: example ${name} shows another code`);
          }
        }
        const documented = Object.keys(doc.paths[path]?.[method.toLowerCase()]?.responses ?? {}).filter(
          (status) => !status.startsWith('2'),
        );
        expect(documented.sort(), at).toEqual([...expected.keys()].map(String).sort());
      }
    }
    expect(problems).toEqual([]);
  });

  it('every error status a route lists names its codes (no bare status)', () => {
    const bare = routes.flatMap((route) =>
      Object.entries((route.schema?.response ?? {}) as Record<string, unknown>)
        .filter(([status, schema]) => !status.startsWith('2') && declaredOn(schema) === undefined)
        .map(([status]) => `${route.method} ${route.url} ${status}`),
    );
    expect(bare).toEqual([]);
  });

  it('shows what each operation really answers, not the first code of the status', () => {
    const codes = (path: string, method: string, status: number) =>
      Object.keys(examplesOf(path, method, status) ?? {}) as ErrorCode[];
    // /verify answers a locked account with SECOND_FACTOR_LOCKED, besides the address's rate limit.
    expect(codes('/api/v1/verify', 'post', 429)).toEqual(['SECOND_FACTOR_LOCKED', 'RATE_LIMITED']);
    expect(codes('/api/v1/me/2fa/enable', 'post', 409)).toContain('FACTOR_ALREADY_ACTIVE');
    expect(codes('/api/v1/me/2fa/enable', 'post', 409)).not.toContain('USERNAME_TAKEN');
    expect(codes('/api/v1/users', 'post', 409)).toEqual(['USERNAME_TAKEN']);
    expect(codes('/api/v1/me/2fa/enable/{flowId}', 'get', 404)).toEqual(['FLOW_NOT_FOUND']);
    expect(codes('/api/v1/me/sessions/{sessionId}', 'delete', 404)).toEqual(['SESSION_NOT_FOUND']);
    expect(codes('/api/v1/me/2fa/enable/{flowId}/resend', 'post', 429)).toEqual([
      'RESEND_TOO_SOON',
      'SEND_LIMIT_REACHED',
      'SMS_DESTINATION_LIMIT',
      'RATE_LIMITED',
    ]);
    // A route that needs no token does not claim its 401s, one that parses no body not its 415.
    expect(codes('/api/v1/users', 'post', 401)).toEqual([]);
    expect(codes('/api/v1/me/2fa', 'get', 415)).toEqual([]);
  });

  it('the SECOND_FACTOR_LOCKED example of /verify is the body a locked account gets', () => {
    const example = examplesOf('/api/v1/verify', 'post', 429)?.SECOND_FACTOR_LOCKED?.value;
    expect(example).toEqual({
      error: { code: 'SECOND_FACTOR_LOCKED', message: expect.any(String), lockedUntil: expect.any(String) },
    });
  });
});
