import { readFile } from 'node:fs/promises';
import { ERROR_CODES } from '@tessera/contract';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_DOCS } from '../../packages/server/src/native/openapi/operation-docs.js';
import { createHarness, type Harness, json } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());

describe('OpenAPI and /docs', () => {
  it('describes every native route as OpenAPI 3.1 with request and response schemas', async () => {
    const doc = json<{
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>(await h.app.inject({ method: 'GET', url: '/openapi.json' }));
    expect(doc.openapi).toBe('3.1.0');
    const routes = h.app.printRoutes({ commonPrefix: false });
    const expected = [
      ['post', '/api/v1/users'],
      ['post', '/api/v1/auth/sign-in'],
      ['post', '/api/v1/auth/sign-in/{flowId}/second-factor'],
      ['post', '/api/v1/auth/refresh'],
      ['post', '/api/v1/auth/introspect'],
      ['post', '/api/v1/admin/settings/signing-keys/rotate'],
      ['post', '/api/v1/auth/sign-out'],
      ['get', '/api/v1/me'],
      ['get', '/api/v1/me/factors'],
      ['post', '/api/v1/me/factors/totp'],
      ['post', '/api/v1/me/factors/{factorId}/confirm'],
      ['post', '/api/v1/me/factors/{factorId}/use-default-settings'],
      ['delete', '/api/v1/me/factors/{factorId}'],
      ['post', '/api/v1/me/verify'],
      ['get', '/api/v1/me/api-tokens'],
      ['post', '/api/v1/me/api-tokens'],
      ['delete', '/api/v1/me/api-tokens/{tokenId}'],
      ['post', '/api/v1/verify'],
      ['get', '/api/v1/admin/users/lookup'],
      ['post', '/api/v1/admin/users'],
      ['get', '/api/v1/admin/users/{userId}'],
      ['patch', '/api/v1/admin/users/{userId}'],
      ['delete', '/api/v1/admin/users/{userId}'],
      ['post', '/api/v1/admin/users/{userId}/disable'],
      ['post', '/api/v1/admin/users/{userId}/enable'],
      ['post', '/api/v1/auth/sign-in/{flowId}/method'],
      ['post', '/api/v1/auth/recovery'],
      ['post', '/api/v1/auth/recovery/{challengeId}/confirm'],
      ['post', '/api/v1/auth/password-reset'],
      ['get', '/api/v1/me/2fa'],
      ['post', '/api/v1/me/2fa/enable'],
      ['get', '/api/v1/me/2fa/enable/{flowId}'],
      ['post', '/api/v1/me/2fa/enable/{flowId}/confirm'],
      ['post', '/api/v1/me/2fa/enable/{flowId}/resend'],
      ['post', '/api/v1/me/2fa/disable'],
      ['post', '/api/v1/me/2fa/disable/{flowId}/confirm'],
      ['post', '/api/v1/me/2fa/disable/{flowId}/resend'],
      ['post', '/api/v1/me/2fa/challenges'],
      ['get', '/api/v1/me/2fa/challenges/{challengeId}'],
      ['post', '/api/v1/me/2fa/challenges/{challengeId}/confirm'],
      ['get', '/api/v1/me/2fa/backup-codes'],
      ['post', '/api/v1/me/2fa/backup-codes/regenerate'],
      ['get', '/api/v1/me/2fa/history'],
      ['get', '/api/v1/me/2fa/history/{entryId}'],
      ['get', '/api/v1/me/devices'],
      ['delete', '/api/v1/me/devices/{deviceId}'],
      ['post', '/api/v1/me/password'],
      ['get', '/api/v1/me/sessions'],
      ['delete', '/api/v1/me/sessions/{sessionId}'],
      ['post', '/api/v1/me/sessions/revoke-all'],
      ['post', '/api/v1/me/email'],
      ['post', '/api/v1/me/phone'],
      ['get', '/api/v1/me/contact-changes/{changeId}'],
      ['post', '/api/v1/me/contact-changes/{changeId}/confirm'],
      ['put', '/api/v1/me/issuer'],
      ['get', '/api/v1/admin/users'],
      ['get', '/api/v1/admin/users/{userId}/factors'],
      ['delete', '/api/v1/admin/users/{userId}/2fa'],
      ['post', '/api/v1/admin/users/{userId}/2fa/unlock'],
      ['post', '/api/v1/admin/users/{userId}/2fa/totp/export'],
      ['post', '/api/v1/admin/users/{userId}/2fa/totp/import'],
      ['put', '/api/v1/admin/users/{userId}/issuer'],
      ['get', '/api/v1/admin/settings/issuer'],
      ['put', '/api/v1/admin/settings/issuer'],
      ['get', '/api/v1/admin/policy'],
      ['put', '/api/v1/admin/policy'],
      ['get', '/api/v1/admin/history'],
      ['get', '/api/v1/admin/history/{entryId}'],
      ['post', '/api/v1/me/2fa/webauthn/registration'],
      ['post', '/api/v1/me/2fa/webauthn/registration/{flowId}'],
      ['get', '/api/v1/me/2fa/webauthn/credentials'],
      ['patch', '/api/v1/me/2fa/webauthn/credentials/{credentialId}'],
      ['delete', '/api/v1/me/2fa/webauthn/credentials/{credentialId}'],
      ['post', '/api/v1/auth/sign-in/{flowId}/webauthn/options'],
      ['post', '/api/v1/auth/sign-in/{flowId}/webauthn'],
      ['post', '/api/v1/auth/passkey/options'],
      ['post', '/api/v1/auth/passkey'],
      ['post', '/api/v1/me/2fa/webauthn/challenges'],
      ['post', '/api/v1/me/2fa/webauthn/challenges/{challengeId}'],
      ['get', '/api/v1/admin/users/{userId}/webauthn/credentials'],
      ['delete', '/api/v1/admin/users/{userId}/webauthn/credentials/{credentialId}'],
      ['post', '/api/v1/admin/webhooks'],
      ['get', '/api/v1/admin/webhooks'],
      ['get', '/api/v1/admin/webhooks/{webhookId}'],
      ['patch', '/api/v1/admin/webhooks/{webhookId}'],
      ['delete', '/api/v1/admin/webhooks/{webhookId}'],
      ['post', '/api/v1/admin/webhooks/{webhookId}/rotate-secret'],
      ['get', '/api/v1/admin/webhooks/{webhookId}/deliveries'],
      ['post', '/api/v1/admin/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver'],
      ['get', '/health'],
      ['get', '/ready'],
      ['get', '/.well-known/jwks.json'],
    ] as const;
    for (const [method, path] of expected) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(Object.keys(operation?.responses ?? {}).some((s) => s.startsWith('2'))).toBe(true);
    }
    // Nothing under /api/v1 is left out of the document.
    const documented = Object.keys(doc.paths).length;
    expect(documented).toBe(new Set(expected.map(([, p]) => p)).size);
    expect(routes).toContain('api/v1/');
  });

  it('gives every operation a unique camelCase operationId', async () => {
    const doc = json<{ paths: Record<string, Record<string, { operationId?: string }>> }>(
      await h.app.inject({ method: 'GET', url: '/openapi.json' }),
    );
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ at: `${method} ${path}`, id: operation.operationId })),
    );
    expect(operations.length).toBeGreaterThan(0);
    for (const { at, id } of operations) {
      expect(id, at).toMatch(/^[a-z][A-Za-z0-9]*$/);
    }
    const ids = operations.map(({ id }) => id);
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(duplicates).toEqual([]);
  });

  it('documents every operation fully: descriptions, examples that match, named schemas, enums, error codes', async () => {
    const doc = await nativeDocument();
    expect(problemsOf(doc)).toEqual([]);
  });

  it('finds each kind of gap it checks for, so a route added without its documentation fails', async () => {
    const broken = await nativeDocument();
    const operation = (path: string, method: string) => broken.paths[path]?.[method] as Operation;
    delete operation('/api/v1/auth/refresh', 'post').description;
    const enable = operation('/api/v1/me/2fa/enable', 'post');
    delete mediaOf(enable.requestBody)?.example;
    const status = operation('/api/v1/me/2fa', 'get');
    const statusOk = status.responses['200'];
    if (statusOk) statusOk.description = 'Default Response';
    delete mediaOf(operation('/api/v1/me/factors', 'get').responses['200'])?.example;
    const refreshed = mediaOf(operation('/api/v1/auth/refresh', 'post').responses['200']);
    if (refreshed) refreshed.example = { accessToken: 1 };
    broken.components.schemas.Factor = { type: 'object', properties: { kind: { type: 'string' } } };
    broken.components.schemas.Literal = {
      anyOf: [
        { type: 'string', enum: ['a'] },
        { type: 'string', enum: ['b'] },
      ],
    };

    const problems = problemsOf(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        'post /api/v1/auth/refresh: no description',
        'post /api/v1/me/2fa/enable: no request example',
        'get /api/v1/me/2fa 200: no real description',
        'get /api/v1/me/factors 200: no response example',
        expect.stringMatching(/^post \/api\/v1\/auth\/refresh 200: the example does not match/),
        'a property is named kind, not method',
        'an anyOf of single values is not written as one enum',
      ]),
    );
  });

  it('keeps examples only for operations that exist', async () => {
    const doc = await nativeDocument();
    const ids = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).map((operation) => (operation as Operation).operationId),
    );
    expect(Object.keys(OPERATION_DOCS).filter((id) => !ids.includes(id))).toEqual([]);
  });

  it('lists every error code in the error schema, each with a meaning in docs/errors.md', async () => {
    const doc = await nativeDocument();
    const errorBody = doc.components.schemas.ErrorBody as {
      externalDocs?: { url: string };
      properties: { error: { properties: { code: { enum: string[]; description: string } } } };
    };
    const code = errorBody.properties.error.properties.code;
    expect([...code.enum].sort()).toEqual(Object.keys(ERROR_CODES).sort());
    expect(code.description).toContain('docs/errors.md');
    expect(errorBody.externalDocs?.url).toBe('/docs/errors.md');
    const table = await readFile(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    for (const name of Object.keys(ERROR_CODES)) {
      expect(table, name).toMatch(new RegExp(`^\\| \`${name}\`\\s*\\| \\d{3}\\s*\\| \\S.*\\|$`, 'm'));
    }
  });

  it('gives every route that issues tokens the one TokenResponse schema', async () => {
    const doc = await nativeDocument();
    const okSchema = (path: string) =>
      JSON.stringify(mediaOf((doc.paths[path]?.post as Operation | undefined)?.responses['200'])?.schema);
    expect(okSchema('/api/v1/auth/refresh')).toBe('{"$ref":"#/components/schemas/TokenResponse"}');
    expect(okSchema('/api/v1/auth/sign-in/{flowId}/second-factor')).toBe(
      '{"$ref":"#/components/schemas/TokenResponse"}',
    );
    expect(okSchema('/api/v1/auth/sign-in')).toBe('{"$ref":"#/components/schemas/SignInResponse"}');
    expect(JSON.stringify(doc.components.schemas.SignInResponse)).toContain('#/components/schemas/TokenResponse');
    const tokens = doc.components.schemas.TokenResponse as { required: string[] };
    expect(tokens.required).toEqual(['accessToken', 'refreshToken', 'tokenType', 'expiresIn']);
  });

  it('serves a browsable page at /docs', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('swagger');
  });
});

interface Media {
  schema?: unknown;
  example?: unknown;
}
interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content?: Record<string, Media> };
  responses: Record<string, { description?: string; content?: Record<string, Media> } | undefined>;
}
interface Document {
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
}

async function nativeDocument(): Promise<Document> {
  return json<Document>(await h.app.inject({ method: 'GET', url: '/openapi.json' }));
}

function mediaOf(part: { content?: Record<string, Media> } | undefined): Media | undefined {
  return part?.content?.['application/json'];
}

/** Every node of a JSON value, examples excepted (they are data, not schemas). */
function* schemaNodes(value: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(value)) {
    for (const item of value) yield* schemaNodes(item);
  } else if (typeof value === 'object' && value !== null) {
    yield value as Record<string, unknown>;
    for (const [key, item] of Object.entries(value))
      if (key !== 'example' && key !== 'examples') yield* schemaNodes(item);
  }
}

/** What the document lacks, one line each: empty when every operation is fully described. */
function problemsOf(doc: Document): string[] {
  const problems: string[] = [];
  const tags = new Set((doc.tags ?? []).filter((tag) => tag.description?.trim()).map((tag) => tag.name));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  const check = (at: string, media: Media) => {
    const schema = JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"openapi.json#/components/'));
    const validate = ajv.compile(schema);
    if (!validate(media.example))
      problems.push(`${at}: the example does not match (${ajv.errorsText(validate.errors)})`);
  };
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => [`${method} ${path}`, operation as Operation] as const),
  );
  for (const [at, operation] of operations) {
    if (!operation.summary?.trim()) problems.push(`${at}: no summary`);
    if (!operation.description?.trim()) problems.push(`${at}: no description`);
    const request = mediaOf(operation.requestBody);
    if (operation.requestBody && request?.example === undefined) problems.push(`${at}: no request example`);
    else if (request) check(`${at} request`, request);
    for (const [status, response] of Object.entries(operation.responses)) {
      const description = response?.description ?? '';
      if (!description.trim() || description === 'Default Response')
        problems.push(`${at} ${status}: no real description`);
      const media = mediaOf(response);
      if (media && media.example === undefined) problems.push(`${at} ${status}: no response example`);
      else if (media) check(`${at} ${status}`, media);
    }
    if (!Object.keys(operation.responses).some((status) => status.startsWith('2'))) problems.push(`${at}: no 2xx`);
    for (const tag of operation.tags ?? []) if (!tags.has(tag)) problems.push(`${at}: the tag ${tag} is not described`);
    if (!operation.tags?.length) problems.push(`${at}: no tag`);
  }
  const schemas = doc.components.schemas;
  if (Object.keys(schemas).length === 0) problems.push('components.schemas is empty');
  for (const node of schemaNodes(doc)) {
    const ref = node.$ref;
    if (typeof ref === 'string' && !(ref.replace('#/components/schemas/', '') in schemas)) {
      problems.push(`${ref} does not resolve`);
    }
    const properties = node.properties;
    if (typeof properties === 'object' && properties !== null && 'kind' in properties) {
      problems.push('a property is named kind, not method');
    }
    const options = node.anyOf;
    const singles =
      Array.isArray(options) &&
      options.length > 1 &&
      options.every((option: { enum?: unknown[]; const?: unknown }) => option.enum?.length === 1 || 'const' in option);
    if (singles) problems.push('an anyOf of single values is not written as one enum');
  }
  return [...new Set(problems)];
}
