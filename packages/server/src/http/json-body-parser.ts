import type { FastifyInstance, FastifyRequest } from 'fastify';

/** A JSON body that names one key twice in the same object. */
export class DuplicateJsonKeyError extends Error {
  readonly code = 'TESSERA_DUPLICATE_JSON_KEY';
  readonly statusCode = 400;

  constructor(readonly key: string) {
    super(`The request body repeats the key ${JSON.stringify(key.slice(0, 64))}.`);
    this.name = 'DuplicateJsonKeyError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

/**
 * The first key that appears twice in one object of `text`, which must already be known to be
 * valid JSON (it is scanned only after JSON.parse accepted it), or undefined.
 *
 * JSON.parse keeps the last of two equal keys, and another parser in front of Tessera (a proxy,
 * a WAF, a logging pipeline) may keep the first: `{"role":"user","role":"admin"}` would then
 * mean one thing to it and another here. The one well-known package for this, a full parser
 * with an AST, would parse each body a second time and add a dependency for ~40 lines of
 * scanning; valid JSON only needs its strings, braces, brackets and commas followed.
 * Iterative, so nesting depth costs no stack.
 */
export function findDuplicateKey(text: string): string | undefined {
  /** One entry per open object (its keys so far) or array (null). */
  const open: (Set<string> | null)[] = [];
  let nextStringIsKey = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === QUOTE) {
      let end = i + 1;
      let escaped = false;
      for (let c = text.charCodeAt(end); c !== QUOTE; c = text.charCodeAt(end)) {
        if (c === BACKSLASH) {
          escaped = true;
          end += 2;
        } else {
          end += 1;
        }
      }
      const keys = open.at(-1);
      if (nextStringIsKey && keys) {
        // "\u0061" and "a" are the same key.
        const key = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
        if (keys.has(key)) return key;
        keys.add(key);
      }
      nextStringIsKey = false;
      i = end;
    } else if (char === OPEN_OBJECT) {
      open.push(new Set());
      nextStringIsKey = true;
    } else if (char === OPEN_ARRAY) {
      open.push(null);
    } else if (char === CLOSE_OBJECT || char === CLOSE_ARRAY) {
      open.pop();
    } else if (char === COMMA) {
      nextStringIsKey = Boolean(open.at(-1));
    }
  }
  return undefined;
}

/**
 * Replaces Fastify's JSON body parser with the same parser (secure-json-parse, refusing
 * `__proto__` and `constructor.prototype` keys, within the app's body limit) followed by a
 * check for duplicate keys. Everything else about JSON bodies is unchanged: an empty or invalid
 * body fails with Fastify's own errors.
 */
export function useStrictJsonBodyParser(app: FastifyInstance): void {
  // getDefaultJsonParser returns the callback form (its type also admits the promise form).
  const parseJson = app.getDefaultJsonParser('error', 'error') as (
    request: FastifyRequest,
    body: string,
    done: (error: Error | null, value?: unknown) => void,
  ) => void;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, body as string, (error, value) => {
      if (error) return done(error, undefined);
      const key = findDuplicateKey(body as string);
      if (key !== undefined) return done(new DuplicateJsonKeyError(key), undefined);
      return done(null, value);
    });
  });
}
