import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * The vendors' own OpenAPI documents (`../shared/seeds/vendor-specs/`): they are the vendors'
 * files, not the project's, so tests read them from the directory TESSERA_VENDOR_SPECS_DIR names
 * (`.ci/run` sets it) and skip only these checks where it is not set.
 */
export const VENDOR_SPECS_DIR = process.env.TESSERA_VENDOR_SPECS_DIR;

/** The name a describe.skipIf gives itself, so that a skipped run says why. */
export function vendorSpecSuiteName(what: string): string {
  return VENDOR_SPECS_DIR
    ? what
    : `${what} (SKIPPED: set TESSERA_VENDOR_SPECS_DIR to ../shared/seeds/vendor-specs to run these checks)`;
}

interface OpenApiOperation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
}

/** One vendor document and the Ajv that validates answers against its schemas. */
export class VendorSpec {
  readonly document: OpenApiDocument;
  private readonly ajv: Ajv;
  private readonly id: string;
  private readonly compiled = new Map<string, ValidateFunction>();

  /**
   * Ajv 8 (draft-07 rules, `strict: false` so that OpenAPI's own keywords such as `example`,
   * `x-*` and `discriminator` are ignored as annotations) over the whole document added as one
   * schema, so that every `$ref` (`#/components/schemas/User`) resolves inside it. The 3.0 vs
   * 3.1 differences that matter here: 3.0's `nullable: true` is a keyword Ajv implements itself
   * (the OpenAPI extension it supports, the same as adding `null` to `type`), and 3.1's type
   * arrays (`"type": ["array", "null"]`) are plain JSON Schema; neither document uses 3.0's
   * boolean `exclusiveMinimum`.
   */
  constructor(file: string) {
    if (!VENDOR_SPECS_DIR) throw new Error('TESSERA_VENDOR_SPECS_DIR is not set');
    this.document = withoutUntypedNullable(
      JSON.parse(readFileSync(join(VENDOR_SPECS_DIR, file), 'utf8')),
    ) as OpenApiDocument;
    this.id = `vendor:${file}`;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats.default(this.ajv);
    this.ajv.addSchema(this.document as object, this.id);
  }

  /** Whether the vendor documents this status for the operation. */
  documents(path: string, method: string, status: number): boolean {
    return this.operation(path, method).responses?.[String(status)] !== undefined;
  }

  /**
   * The errors of `body` against the JSON schema the vendor gives for this answer, `[]` when it
   * validates. `status` falls back to `fallbackStatus` (the status whose schema a client would
   * parse the body with) where the vendor documents none for it.
   */
  responseErrors(path: string, method: string, status: number, body: unknown, fallbackStatus?: number): string[] {
    const documented = this.documents(path, method, status) ? status : fallbackStatus;
    if (documented === undefined) throw new Error(`${method} ${path} documents no ${status} answer`);
    const pointer = ['paths', path, method, 'responses', String(documented), 'content', 'application/json', 'schema']
      .map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1'))
      .join('/');
    return this.check(`${this.id}#/${pointer}`, body);
  }

  /** The errors of `body` against one of the document's named schemas (`Error`). */
  schemaErrors(name: string, body: unknown): string[] {
    return this.check(`${this.id}#/components/schemas/${name}`, body);
  }

  /** The property names a named schema declares. */
  propertiesOf(name: string): string[] {
    const components = (
      this.document as unknown as { components: { schemas: Record<string, { properties?: object }> } }
    ).components;
    return Object.keys(components.schemas[name]?.properties ?? {});
  }

  private operation(path: string, method: string): OpenApiOperation {
    const operation = this.document.paths[path]?.[method];
    if (!operation) throw new Error(`the vendor document has no ${method} ${path}`);
    return operation;
  }

  private check(ref: string, body: unknown): string[] {
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(describe);
  }
}

/**
 * Twilio's document marks untyped properties (`push`, `binding`, …) `nullable: true`, which
 * Ajv's nullable keyword refuses without a `type`. A schema without a type already takes null
 * (and anything else), so there the keyword says nothing and is dropped; everywhere else it stays.
 */
function withoutUntypedNullable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUntypedNullable);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([key, item]) => [key, withoutUntypedNullable(item)] as const);
  const object = Object.fromEntries(entries) as Record<string, unknown>;
  if ('nullable' in object && !('type' in object)) delete object.nullable;
  return object;
}

function describe(error: ErrorObject): string {
  return `${error.instancePath || '(body)'} ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`;
}
