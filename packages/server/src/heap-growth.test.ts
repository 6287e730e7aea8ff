import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { YOUNG_GENERATION_CAP_BYTES } from './heap-growth.js';

const REPOSITORY = join(import.meta.dirname, '../../..');

/**
 * A fresh process allocating as a loaded server does, after keeping about 30 MiB live: objects
 * that live long enough to reach the old generation, then die, with a turn of the event loop
 * every 10,000 (a server's requests are asynchronous). Prints the largest sizes the young and
 * the old generation reached, in bytes.
 */
const WORKLOAD = `
import { getHeapSpaceStatistics } from 'node:v8';
const size = (name) => getHeapSpaceStatistics().find((space) => space.space_name === name).space_size;
const turn = () => new Promise((resolve) => setTimeout(resolve, 0));
const live = [];
for (let i = 0; i < 300_000; i++) {
  live.push({ i, text: 'live ' + i });
  if (i % 10_000 === 0) await turn();
}
const ring = new Array(50_000);
let young = 0;
let old = 0;
for (let i = 0; i < 3_000_000; i++) {
  ring[i % ring.length] = { i, pair: [i, i + 1], text: 'request ' + i };
  if (i % 10_000 === 0) {
    young = Math.max(young, size('new_space'));
    old = Math.max(old, size('old_space'));
    await turn();
  }
}
process.stdout.write(JSON.stringify({ young, old, live: live.length }));
`;

/** The workload in its own process (V8's heap is the process's), with or without the limits. */
function peaks(limited: boolean): { young: number; old: number } {
  const setUp = limited ? "(await import('@tessera/server/heap-growth')).limitHeapGrowth();\n" : '';
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', setUp + WORKLOAD], {
    cwd: REPOSITORY,
    encoding: 'utf8',
  });
  return JSON.parse(output) as { young: number; old: number };
}

describe('limitHeapGrowth', () => {
  it('keeps the young generation at its cap and the old one near its live data, where V8 alone grows both', () => {
    const unlimited = peaks(false);
    const limited = peaks(true);
    // Without the limits the same workload grows past both bounds, so the check can fail.
    expect(unlimited.young).toBeGreaterThan(YOUNG_GENERATION_CAP_BYTES);
    expect(limited.young).toBeLessThanOrEqual(YOUNG_GENERATION_CAP_BYTES);
    expect(limited.old).toBeLessThan(unlimited.old * 0.7);
  }, 30_000);
});
