// Runs Tessera in its own process for the benchmark; prints its URL on stdout and answers the
// parent's "usage" message with its CPU time, resident memory, and the time spent so far in
// database statements and in garbage collection ("usage-after-gc" collects garbage first).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PerformanceObserver } from 'node:perf_hooks';
import { limitHeapGrowth } from '@tessera/server/heap-growth';

// As `tessera serve` does (bin/tessera.js), before the server's code is loaded.
limitHeapGrowth();
const { loadConfig } = await import('@tessera/core');
const { startServer } = await import('@tessera/server');

const statements = timeStatements();
const gc = { micros: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gc.micros += entry.duration * 1000;
}).observe({ entryTypes: ['gc'] });

const server = await startServer(loadConfig(process.env));
process.stdout.write(`${server.url}\n`);
process.on('message', (message) => {
  if (message !== 'usage' && message !== 'usage-after-gc') return;
  const send = () => {
    const memory = process.memoryUsage();
    process.send?.({
      cpu: process.cpuUsage(),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      rssBreakdown: rssBreakdown(),
      sqlMicros: statements.micros,
      gcMicros: gc.micros,
    });
  };
  if (message === 'usage') return send();
  // --expose-gc is given by the bench; a full collection shows what the load left behind (and
  // clears the garbage of one run before the next). The observer hears of it a turn later.
  globalThis.gc?.();
  setImmediate(() => setImmediate(send));
});
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));

/** The kernel's split of the RSS (Linux): anonymous memory (heaps, malloc) and mapped files. */
function rssBreakdown() {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { anon: kib('RssAnon'), file: kib('RssFile') };
  } catch {
    return undefined;
  }
}

/**
 * Sums the time spent inside better-sqlite3's statement calls (SQLite's own work, rows turned
 * into objects), so the bench can say how much of a request is the database. Two clock reads a
 * statement, well under a microsecond a request, and nothing to collect. On SQLite only: PostgreSQL runs elsewhere.
 */
function timeStatements() {
  const totals = { micros: 0 };
  const Database = createRequire(import.meta.url)('better-sqlite3');
  const prepare = Database.prototype.prepare;
  let wrapped = false;
  Database.prototype.prepare = function prepareTimed(sql) {
    const statement = prepare.call(this, sql);
    if (!wrapped) {
      wrapped = true;
      const proto = Object.getPrototypeOf(statement);
      for (const name of ['all', 'get', 'run']) {
        const call = proto[name];
        proto[name] = function timed(...args) {
          // performance.now(), not hrtime.bigint(): two BigInts a statement were garbage the
          // reference, which is not timed, does not make.
          const started = performance.now();
          try {
            return call.apply(this, args);
          } finally {
            totals.micros += (performance.now() - started) * 1000;
          }
        };
      }
    }
    return statement;
  };
  return totals;
}
