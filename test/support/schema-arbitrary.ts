import fc from 'fast-check';

/** The part of JSON Schema (as the OpenAPI document carries it) that the native schemas use. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  items?: JsonSchema;
}

/** Strings a hostile client sends: NUL, lone surrogates, huge, look-alike numbers and dates, injection. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'admin\u0000',
    '\u0000\u0000\u0000',
    '\uD800',
    '\uDFFFx',
    '𝕏💥\u202E\uFEFF',
    'x'.repeat(5_000),
    '',
    ' ',
    "' or 1=1 --",
    '%00',
    '../..',
    '__proto__',
    'constructor',
    '2026-06-30T23:59:60Z',
    '1e400',
    '9223372036854775808',
    '-1',
    'NaN',
    'null',
    'true',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ maxLength: 20 }).map((text) => `${text}\u0000${text}`),
);

/** Numbers that overflow a bigint, lose precision, or are of the wrong sign or kind. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1e15, 2 ** 53 + 2, 2 ** 63, -(2 ** 63), 2 ** 64, 1e300, -1, 0, -0, 0.5, 1e-7, 99_999_999_999),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** A value of the wrong kind for most fields. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.constantFrom(null, true, false, [], {}, [null], { '': '' }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A value valid for `schema` as far as the generator can tell (patterns and formats included). */
export function validValue(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((alternative) => validValue(alternative, depth)));
  if (schema.allOf) {
    const merged: JsonSchema = { type: 'object', properties: {}, required: [] };
    for (const part of schema.allOf) {
      Object.assign(merged.properties ?? {}, part.properties);
      merged.required?.push(...(part.required ?? []));
    }
    return validValue(merged, depth);
  }
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if ('const' in schema) return fc.constant(schema.const);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return validString(schema);
    case 'integer':
      return fc.integer({
        min: Math.max(schema.minimum ?? -1000, -(2 ** 31)),
        max: Math.min(schema.maximum ?? 1000, 2 ** 31 - 1),
      });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schema.items ? validValue(schema.items, depth + 1) : hostileValue, { maxLength: 3 });
    case 'object': {
      const properties = schema.properties ?? {};
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) record[name] = validValue(property, depth + 1);
      return fc.record(record, { requiredKeys: (schema.required ?? []).filter((name) => name in properties) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function validString(schema: JsonSchema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'date-time':
      return fc.oneof(
        fc
          .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
          .map((date) => date.toISOString()),
        fc.constantFrom('2026-06-30T23:59:60Z', '2026-12-31t23:59:59.123456789z', '0000-01-01T00:00:00+23:59'),
      );
  }
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
  return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
}

/**
 * A value that is valid but for one thing: one field replaced by a hostile value, a NUL put
 * into one string, a field added or dropped. The rest stays valid, so the request gets past the
 * fields that are checked first.
 */
export function nearlyValidValue(schema: JsonSchema): fc.Arbitrary<unknown> {
  return fc
    .tuple(validValue(schema), fc.nat(), fc.constantFrom('replace', 'nul', 'add', 'drop', 'wrap'), hostileValue)
    .map(([value, pick, how, hostile]) => {
      if (typeof value === 'string') return how === 'nul' ? insertNul(value, pick) : hostile;
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return how === 'wrap' ? [value] : hostile;
      const copy: Record<string, unknown> = { ...value };
      const keys = Object.keys(copy);
      const key = keys[pick % Math.max(keys.length, 1)];
      switch (how) {
        case 'replace':
          if (key !== undefined) copy[key] = hostile;
          break;
        case 'nul': {
          const strings = keys.filter((name) => typeof copy[name] === 'string');
          const name = strings[pick % Math.max(strings.length, 1)];
          if (name !== undefined) copy[name] = insertNul(String(copy[name]), pick);
          else copy[`x${pick}`] = '\u0000';
          break;
        }
        case 'add':
          copy[`extra${pick % 3}`] = hostile;
          break;
        case 'drop':
          if (key !== undefined) delete copy[key];
          break;
        case 'wrap':
          return [copy];
      }
      return copy;
    });
}

function insertNul(text: string, at: number): string {
  const index = at % (text.length + 1);
  return `${text.slice(0, index)}\u0000${text.slice(index)}`;
}

/** JSON texts no generator of values makes: nesting, repeated keys, numbers out of range, broken. */
export const hostileJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 1, max: 5_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.integer({ min: 1, max: 1_500 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.constantFrom(
    '',
    ' ',
    '{',
    '{"code":"123456",}',
    '{"code":"123456","code":"654321"}',
    '{"username":"a","username":"b","password":"correct horse battery"}',
    '{"a":{"b":1,"b":2}}',
    '{"__proto__":{"role":"admin"}}',
    '{"constructor":{"prototype":{"role":"admin"}}}',
    '{"limit":1e400}',
    '{"period":1e400}',
    '{"gracePeriodDays":-0}',
    '{"gracePeriodDays":123456789012345678901234567890}',
    '"\\u0000"',
    '{"name":"\\u0000"}',
    '{"name":"\\ud800"}',
    'null',
    'true',
    '123',
    '[]',
    '\uFEFF{}',
  ),
);
