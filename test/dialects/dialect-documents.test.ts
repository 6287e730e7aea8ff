import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.js';

interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; schema: object; example?: unknown; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: object; example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: object; example?: unknown }> }>;
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
}

/**
 * Every operation of every dialect's OpenAPI document says what it does (a summary and a
 * description, with Tessera's departures from the vendor) and shows it: a request example for
 * each body, and an example of every answer, each of which validates against the schema it sits
 * beside (so the examples cannot drift from what the routes answer).
 */
describe('dialect OpenAPI documents: summaries, descriptions and examples that validate', () => {
  let h: Harness;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  function errorsOf(schema: object, value: unknown): string[] {
    const validate = ajv.compile(schema);
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  }

  const COUNTS: Record<string, number> = { whm: 48, uapi: 24, b2core: 18, mudbase: 5, vpsbg: 3, twilio: 18 };

  for (const [dialect, count] of Object.entries(COUNTS)) {
    it(`${dialect}: all ${count} operations described, with examples that validate`, async () => {
      const document = (await h.app.inject({ url: `/openapi/${dialect}.json` })).json<Document>();
      const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
      );
      expect(operations).toHaveLength(count);
      const problems: string[] = [];
      for (const { name, operation } of operations) {
        if (!operation.summary) problems.push(`${name}: no summary`);
        if (!operation.description) problems.push(`${name}: no description`);
        const body = operation.requestBody?.content['application/json'];
        if (body) {
          if (body.example === undefined) problems.push(`${name}: no request example`);
          else for (const error of errorsOf(body.schema, body.example)) problems.push(`${name} request: ${error}`);
        }
        for (const parameter of operation.parameters ?? []) {
          if (parameter.example === undefined) continue;
          for (const error of errorsOf(parameter.schema, parameter.example))
            problems.push(`${name} ${parameter.name}: ${error}`);
        }
        if (Object.keys(operation.responses).length === 0) problems.push(`${name}: no responses`);
        for (const [status, response] of Object.entries(operation.responses)) {
          const content = response.content?.['application/json'];
          if (!content) continue;
          if (content.example === undefined) problems.push(`${name} ${status}: no example`);
          else
            for (const error of errorsOf(content.schema, content.example)) problems.push(`${name} ${status}: ${error}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
