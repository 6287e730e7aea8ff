/**
 * Property: whatever a client sends to any route of the native API — arbitrary or nearly valid
 * JSON, strings with NUL, huge numbers, deep nesting, wrong types, odd unicode, hostile query
 * strings and path parameters — with or without valid credentials, the answer is never a 5xx,
 * and every error is `{"error":{"code","message"}}` with a code of the table and its status.
 *
 * The routes and their schemas come from the app's own OpenAPI document, so a new route is
 * fuzzed without this file changing. Runs on the suite's database (PostgreSQL when
 * TESSERA_TEST_DATABASE_URL is set). TESSERA_FUZZ_RUNS changes the number of requests.
 */
import { ERROR_CODES, type ErrorCode } from '@tessera/contract';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATIVE_STATUS } from '../../packages/server/src/native/native-status.js';
import { createHarness, createSignedInUser, type Harness } from '../support/harness.js';
import {
  hostileJsonText,
  hostileNumber,
  hostileString,
  type JsonSchema,
  nearlyValidValue,
  validValue,
} from '../support/schema-arbitrary.js';

const RUNS = Number(process.env.TESSERA_FUZZ_RUNS ?? 2_000);

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  schema: JsonSchema;
}

interface Operation {
  method: string;
  /** With `{name}` placeholders. */
  path: string;
  parameters: Parameter[];
  body: JsonSchema | undefined;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Parameter[];
        requestBody?: { content?: Record<string, { schema: JsonSchema }> };
      }
    >
  >;
}

function operationsOf(app: FastifyInstance): Operation[] {
  const document = app.swagger() as unknown as OpenApiDocument;
  return Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/api/v1/'))
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        body: operation.requestBody?.content?.['application/json']?.schema,
      })),
    );
}

type Credentials = 'none' | 'garbage' | 'forged-api-token' | 'user-session' | 'user-api-token' | 'admin-api-token';

interface FuzzRequest {
  operation: Operation;
  url: string;
  payload: string | undefined;
  contentType: string | undefined;
  credentials: Credentials;
}

/** encodeURIComponent throws on a lone surrogate; a client can still send its bytes. */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return escape(text);
  }
}

function pathValue(parameter: Parameter): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: validValue(parameter.schema).map((value) => encode(String(value))) },
    { weight: 2, arbitrary: hostileString.map(encode) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '%2F', 'a'.repeat(101), 'a'.repeat(3000)) },
  );
}

const hostileNumberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '1e15',
    '9223372036854775808',
    '18446744073709551616',
    '1e400',
    '-1e400',
    '-0',
    '1.5',
    '0x10',
    ' 1',
    '',
  ),
  hostileNumber.map((n) => n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 })),
);

function hostileQueryValue(parameter: Parameter): fc.Arbitrary<string> {
  const numeric = parameter.schema.type === 'integer' || parameter.schema.type === 'number';
  return numeric ? fc.oneof(hostileNumberText, hostileNumberText, hostileString) : hostileString;
}

function rarely<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arbitrary });
}

/** Valid values for some parameters, and (mostly) one hostile one, sometimes repeated or unknown. */
function queryString(parameters: Parameter[]): fc.Arbitrary<string> {
  if (parameters.length === 0) {
    return rarely(fc.tuple(hostileString, hostileString)).map((pair) =>
      pair ? `?${encode(pair[0])}=${encode(pair[1])}` : '',
    );
  }
  const valid = fc.tuple(...parameters.map((parameter) => fc.option(validValue(parameter.schema).map(String))));
  const hostile = fc
    .nat({ max: parameters.length - 1 })
    .chain((index) => fc.tuple(fc.constant(index), hostileQueryValue(parameters[index] as Parameter)));
  const odd = fc.oneof({ weight: 3, arbitrary: hostile }, { weight: 1, arbitrary: fc.constant(null) });
  return fc
    .tuple(valid, odd, rarely(fc.tuple(hostileString, hostileString)), rarely(fc.nat()))
    .map(([values, oddOne, unknown, repeat]) => {
      const pairs: string[] = [];
      parameters.forEach((parameter, index) => {
        const value = oddOne?.[0] === index ? oddOne[1] : values[index];
        if (value === null || value === undefined) return;
        pairs.push(`${parameter.name}=${encode(value)}`);
        if (repeat !== null && repeat % parameters.length === index) pairs.push(`${parameter.name}=${encode(value)}`);
      });
      if (unknown) pairs.push(`${encode(unknown[0])}=${encode(unknown[1])}`);
      return pairs.length > 0 ? `?${pairs.join('&')}` : '';
    });
}

function bodyText(schema: JsonSchema | undefined): fc.Arbitrary<string | undefined> {
  const anyJson = fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value));
  if (!schema) return fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, anyJson, hostileJsonText);
  return fc.oneof(
    { weight: 5, arbitrary: nearlyValidValue(schema).map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: validValue(schema).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: anyJson },
    { weight: 1, arbitrary: hostileJsonText },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

function requestFor(operation: Operation): fc.Arbitrary<FuzzRequest> {
  const pathParameters = operation.parameters.filter((parameter) => parameter.in === 'path');
  const queryParameters = operation.parameters.filter((parameter) => parameter.in === 'query');
  return fc
    .record({
      pathValues: fc.tuple(...pathParameters.map(pathValue)),
      query: queryString(queryParameters),
      payload: bodyText(operation.body),
      contentType: fc.oneof(
        { weight: 6, arbitrary: fc.constant('application/json') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'application/json; charset=utf-8',
            'application/json; charset=latin1',
            'application/json;;',
            'Application/JSON',
            'application/xml',
            'text/plain',
            'multipart/form-data; boundary=x',
            '',
            undefined,
          ),
        },
      ),
      credentials: fc.oneof(
        { weight: 1, arbitrary: fc.constantFrom<Credentials>('none', 'garbage', 'forged-api-token') },
        {
          weight: 3,
          arbitrary: fc.constantFrom<Credentials>(
            'user-session',
            'user-api-token',
            'admin-api-token',
            'admin-api-token',
          ),
        },
      ),
    })
    .map(({ pathValues, query, payload, contentType, credentials }) => {
      let path = operation.path;
      pathParameters.forEach((parameter, index) => {
        path = path.replace(`{${parameter.name}}`, pathValues[index] ?? '');
      });
      return {
        operation,
        url: `${path}${query}`,
        payload,
        contentType: payload === undefined ? undefined : contentType,
        credentials,
      };
    });
}

let h: Harness;
let operations: Operation[];
const authorization: Record<Credentials, string | undefined> = {
  none: undefined,
  garbage: 'Bearer not.a.jwt',
  'forged-api-token': 'Bearer tsa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  'user-session': undefined,
  'user-api-token': undefined,
  'admin-api-token': undefined,
};

beforeAll(async () => {
  h = await createHarness();
  operations = operationsOf(h.app);
  const user = await createSignedInUser(h);
  const admin = await createSignedInUser(h, { role: 'admin' });
  authorization['user-session'] = `Bearer ${user.accessToken}`;
  authorization['user-api-token'] = `Bearer ${(await h.core.apiTokens.issue(user.id, 'fuzz', 'write')).token}`;
  authorization['admin-api-token'] = `Bearer ${(await h.core.apiTokens.issue(admin.id, 'fuzz', 'write')).token}`;
});
afterAll(async () => h.close());

const errorCodes = new Set(Object.keys(ERROR_CODES));

/** What is wrong with a response, or undefined when it is an answer a client may get. */
function problemWith(statusCode: number, body: string): string | undefined {
  if (statusCode >= 500) return `status ${statusCode}`;
  if (statusCode < 400) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'an error body that is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Object.keys(parsed).join() !== 'error') {
    return 'an error body that is not {"error":…}';
  }
  const error = (parsed as { error: unknown }).error;
  if (typeof error !== 'object' || error === null) return 'an "error" that is not an object';
  const { code, message, ...rest } = error as Record<string, unknown>;
  if (typeof code !== 'string' || !errorCodes.has(code)) return `an unknown error code ${String(code)}`;
  if (typeof message !== 'string' || message.length === 0) return 'an error without a message';
  const optional = new Set(['lockedUntil', 'retryAt', 'details']);
  if (Object.keys(rest).some((key) => !optional.has(key))) return 'extra error fields';
  if (NATIVE_STATUS[code as ErrorCode] !== statusCode) return `${code} with status ${statusCode}`;
  return undefined;
}

describe('fuzzing every native route', () => {
  it('lists the routes from the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThan(40);
    expect(operations.filter((operation) => operation.body).length).toBeGreaterThan(20);
  });

  it('never answers 5xx, and every error is in the one error shape', async () => {
    const request = fc.constantFrom(...operations).chain(requestFor);
    await fc.assert(
      fc.asyncProperty(request, async ({ operation, url, payload, contentType, credentials }) => {
        // Signing out would end the session the other runs use; an API token has none to end.
        const used = url.endsWith('/auth/sign-out') && credentials === 'user-session' ? 'user-api-token' : credentials;
        const headers: Record<string, string> = {};
        const header = authorization[used];
        if (header) headers.authorization = header;
        if (contentType) headers['content-type'] = contentType;
        const response = await h.app.inject({
          method: operation.method as 'GET' | 'POST' | 'PUT' | 'DELETE',
          url,
          headers,
          ...(payload === undefined ? {} : { payload }),
        });
        const problem = problemWith(response.statusCode, response.body);
        if (problem) {
          throw new Error(`${operation.method} ${url} (${used}) → ${problem}: ${response.body.slice(0, 300)}`);
        }
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 90_000);
});
