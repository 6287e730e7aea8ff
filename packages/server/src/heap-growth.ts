import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * The young generation's cap: two semi-spaces of 8 MiB. V8's default lets each grow to 16 MiB
 * (Node 20), and loading Tessera's code at start is enough to grow them there: 32 MiB of RSS
 * held for good by an idle server whose live heap is under 30 MiB. At half of that the
 * scavenges took 15% longer in all than with the default in the benchmark; at a quarter (4 MiB)
 * about 1.4 times as long, for no less RSS once the old generation is held as below.
 */
export const YOUNG_GENERATION_CAP_BYTES = 2 * 8 * 2 ** 20;

/**
 * The old generation may grow to 1.25 times what the last full collection left live before the
 * next one, where V8's default on a machine with memory to spare goes up to 4 times. Full
 * collections are then three to four times as frequent; they mark mostly on a background thread
 * and the live data is small, so they cost less than the scavenges a smaller young generation
 * would have cost for the same RSS.
 */
export const OLD_GENERATION_GROWING_PERCENT = 25;

let limited = false;

/**
 * Keeps the V8 heap of a long-running server close to what it holds live. Called by
 * `tessera serve` before its code is loaded (bin/tessera.js), in every worker, and by the
 * benchmark's server, so that what is measured is what is deployed.
 *
 * Measured with the verify benchmark (docs/benchmark.md, "RSS (2026-12-06)"): the RSS after the
 * load fell from 163-190 MiB (170-260 over a day) to 120-126 MiB, with no more CPU per request:
 * the scavenges are two to three times as many, but each copies only what is alive then, so
 * their total time grew by 15% on average.
 *
 * `--max-semi-space-size` would say the same, but V8 reads it once, when the process starts, so
 * only the node command line could give it, and every way of starting the server would have to.
 * The two flags set here are read at each collection instead. The growth factor is switched
 * rather than set once: V8 shrinks the young generation when allocation slows down, and must
 * be able to grow it back up to the cap when the load returns.
 */
export function limitHeapGrowth(): void {
  if (limited) return;
  limited = true;
  setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWING_PERCENT}`);
  let atCap = false;
  const follow = () => {
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (!young) return;
    const full = young.space_size >= YOUNG_GENERATION_CAP_BYTES;
    if (full === atCap) return;
    atCap = full;
    // V8 doubles the semi-spaces by this factor; 1 keeps them as they are.
    setFlagsFromString(`--semi-space-growth-factor=${full ? 1 : 2}`);
  };
  // A collection's entry arrives after it, at the next turn of the event loop: the cap is
  // checked then, which holds it for a server, whose work is asynchronous (a long synchronous
  // stretch could still grow the young generation past it, once).
  new PerformanceObserver(follow).observe({ entryTypes: ['gc'] });
  follow();
}
