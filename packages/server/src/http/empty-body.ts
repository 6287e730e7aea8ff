import type { FastifyInstance } from 'fastify';

/**
 * A request that declares a zero-length body carries no media, so its Content-Type says
 * nothing: generated clients (the typescript-axios generator, most of them) send
 * `Content-Type: application/x-www-form-urlencoded` or `application/json` with
 * `Content-Length: 0` on an operation without a body. Fastify would hand such a body to the
 * parser of its declared type (415 for a type no parser takes, 400 for empty JSON); dropping the
 * header before the body is parsed makes it what it is, a request without a body. An operation
 * that takes no body then runs; one that needs a body fails its schema (400, "body must be
 * object") in the API's own error shape, as a request without a Content-Type does.
 *
 * Only a declared `Content-Length: 0` without `Transfer-Encoding` is known to be empty before it
 * is read; a chunked body that turns out empty still goes to its type's parser.
 */
export function ignoreContentTypeOfEmptyBodies(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const headers = request.headers;
    if (headers['content-type'] === undefined) return;
    if (headers['content-length'] === '0' && headers['transfer-encoding'] === undefined) {
      delete headers['content-type'];
    }
  });
}
