import { AggregatorRegistry } from 'prom-client';
import type { MetricsSource } from './metrics-listener.js';
import type { ServerMetrics } from './server-metrics.js';

/**
 * With TESSERA_WORKERS > 1 the metrics listener is the primary's alone, and each scrape asks
 * every worker for its registry over the cluster's IPC channel and answers with their sum
 * (prom-client's AggregatorRegistry; gauges that must not be summed say how they combine). A
 * listener in each worker would share the port as the API does, and each scrape would then see
 * one random worker's counts.
 */
export function clusterMetricsSource(): MetricsSource {
  const aggregator = new AggregatorRegistry();
  return {
    exposition: async () => ({ contentType: aggregator.contentType, body: await aggregator.clusterMetrics() }),
  };
}

/** In a cluster worker: answers the primary's requests with this process's registry. */
export function reportMetricsToPrimary(metrics: ServerMetrics): void {
  AggregatorRegistry.setRegistries([metrics.registry]);
  // Constructing one is what installs prom-client's listener for the primary's requests.
  new AggregatorRegistry();
}
