import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from './server-metrics.js';

/** Counts every answered request (including refusals and errors) with its latency. */
export function installHttpMetrics(app: FastifyInstance, metrics: ServerMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.requestAnswered({
      // The matched pattern (routeOptions.url), not request.url: undefined when no route matched.
      route: request.routeOptions.url,
      method: request.method,
      statusCode: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
    });
  });
}
