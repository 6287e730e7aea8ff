import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import type { FastifySchemaCompiler } from 'fastify';

/** ajv-formats' own (RFC 3339) check of a date-time, typed as what it is. */
const rfc3339DateTime = (() => {
  const format = fullFormats['date-time'];
  const validate = typeof format === 'object' && !(format instanceof RegExp) ? format.validate : undefined;
  if (typeof validate !== 'function') throw new Error('ajv-formats has no date-time check');
  return validate as (text: string) => boolean;
})();

/**
 * RFC 3339 allows a leap second (`23:59:60Z`); a JavaScript Date cannot hold one and parses it
 * as an invalid date. Such a time is refused here, where the request is checked, rather than
 * turned into an Invalid Date that fails deep in the storage.
 */
function representableDateTime(text: string): boolean {
  return rfc3339DateTime(text) && Number.isFinite(Date.parse(text));
}

/**
 * Fastify's default Ajv coerces types and silently strips unknown properties. For a security
 * API both hide mistakes: `{"code": 123456}` or a misspelt field should be refused, not
 * repaired. Bodies are therefore validated strictly; only query strings and path parameters,
 * which are text by nature, are coerced.
 */
function createAjv(options: Options): Ajv {
  // verbose: each error carries its schema and data, for messages that name the allowed values.
  const ajv = new Ajv({
    allErrors: false,
    strict: false,
    removeAdditional: false,
    useDefaults: true,
    verbose: true,
    ...options,
  });
  addFormats.default(ajv);
  ajv.addFormat('date-time', { type: 'string', validate: representableDateTime });
  return ajv;
}

const strictAjv = createAjv({ coerceTypes: false });
const coercingAjv = createAjv({ coerceTypes: 'array' });

/** Where the first string (or object key) holding a NUL character is, as a JSON pointer. */
export function findNulCharacter(data: unknown): string | undefined {
  // Iterative, so a deeply nested body cannot exhaust the stack.
  const pending: [value: unknown, path: string][] = [[data, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        pending.push([item, `${path}/${index}`]);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        const itemPath = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (key.includes('\u0000')) return itemPath;
        pending.push([item, itemPath]);
      }
    }
  }
  return undefined;
}

/**
 * No field of any request may hold a NUL character: no legitimate input has one, PostgreSQL
 * cannot store one in text (it fails the query), and C libraries downstream read it as the end
 * of the string. It is refused for every part of every route here, before the route's schema.
 */
function refusingNul(compile: () => ValidateFunction): ValidateFunction {
  // Compiled on the first request of its route, not at start (see lazy-compilers.ts).
  let compiled: ValidateFunction | undefined;
  const validator = () => {
    compiled ??= compile();
    return compiled;
  };
  const checked = ((data: unknown, context?: Parameters<ValidateFunction>[1]) => {
    const path = findNulCharacter(data);
    if (path !== undefined) {
      const error: ErrorObject = {
        instancePath: path,
        schemaPath: '#',
        keyword: 'nul',
        params: {},
        message: 'must not contain a NUL character',
      };
      checked.errors = [error];
      return false;
    }
    const validate = validator();
    const valid = validate(data, context);
    checked.errors = validate.errors;
    return valid;
  }) as ValidateFunction;
  // Fastify passes the parent (so that a coerced root value sticks) when schemaEnv is set.
  Object.defineProperty(checked, 'schemaEnv', { get: () => validator().schemaEnv });
  Object.defineProperty(checked, 'schema', { get: () => validator().schema });
  return checked;
}

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strictAjv : coercingAjv;
  return refusingNul(() => ajv.compile(schema));
};
