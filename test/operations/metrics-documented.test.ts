/**
 * docs/operations.md lists every metric the server registers, and nothing it does not: the
 * table's names are compared with a registry that has every metric (the PostgreSQL pool's too).
 */
import { readFileSync } from 'node:fs';
import { ServerMetrics } from '@tessera/server';
import { describe, expect, it } from 'vitest';

const OPERATIONS_DOC = new URL('../../docs/operations.md', import.meta.url);

/** The first-column names of the metrics table, `tessera_…` exactly or as a `prefix_*` family. */
function documentedNames(): { exact: string[]; families: string[] } {
  const section = readFileSync(OPERATIONS_DOC, 'utf8').split('\n## Metrics\n')[1]?.split('\n## ')[0] ?? '';
  const firstCells = section
    .split('\n')
    .filter((line) => line.startsWith('| `tessera_'))
    .map((line) => line.split('|')[1] ?? '');
  const names = firstCells.flatMap((cell) =>
    [...cell.matchAll(/`(tessera_[a-z_]*\*?)`/g)].map((match) => match[1] ?? ''),
  );
  return {
    exact: names.filter((name) => !name.endsWith('*')),
    families: names.filter((name) => name.endsWith('*')).map((name) => name.slice(0, -1)),
  };
}

async function registeredNames(): Promise<string[]> {
  const metrics = new ServerMetrics({ version: '0.0.0-docs' });
  metrics.watchConnectionPool(() => ({ total: 0, idle: 0, waiting: 0 }));
  return (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
}

describe('the metrics documented in docs/operations.md', () => {
  it('name every metric registered, and only those', async () => {
    const registered = await registeredNames();
    const { exact, families } = documentedNames();
    expect(exact.length).toBeGreaterThan(10);
    expect(families).toEqual(['tessera_process_', 'tessera_nodejs_']);
    const ours = registered.filter((name) => !families.some((family) => name.startsWith(family)));
    expect([...ours].sort()).toEqual([...exact].sort());
    // The Node default metrics are there under the documented prefixes.
    expect(registered.filter((name) => families.some((family) => name.startsWith(family))).length).toBeGreaterThan(5);
  });
});
