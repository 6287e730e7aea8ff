import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Fastify's default Ajv coerces types and silently strips unknown properties. For a security
 * API both hide mistakes: `{"code": 123456}` or a misspelt field should be refused, not
 * repaired. Bodies are therefore validated strictly; only query strings and path parameters,
 * which are text by nature, are coerced.
 */
function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: false, removeAdditional: false, useDefaults: true, ...options });
  addFormats.default(ajv);
  return ajv;
}

const strictAjv = createAjv({ coerceTypes: false });
const coercingAjv = createAjv({ coerceTypes: 'array' });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strictAjv : coercingAjv;
  return ajv.compile(schema);
};
