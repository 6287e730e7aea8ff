import { describe, expect, it } from 'vitest';
import { nextAttemptAt, WEBHOOK_RETRY_DELAYS_SECONDS, WEBHOOK_RETRY_JITTER } from './retry-schedule.js';

const NOW = new Date('2026-06-30T12:00:00.000Z');
const after = (failures: number, random: number) => nextAttemptAt(failures, NOW, () => random);

describe('the webhook retry schedule', () => {
  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then gives up', () => {
    const delays = WEBHOOK_RETRY_DELAYS_SECONDS.map(
      (_, i) => ((after(i + 1, 0.5)?.getTime() ?? 0) - NOW.getTime()) / 1000,
    );
    expect(delays).toEqual([5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
    expect(after(WEBHOOK_RETRY_DELAYS_SECONDS.length + 1, 0.5)).toBeUndefined();
  });

  it('moves each wait by at most the jitter either way', () => {
    const base = 2 * 3600 * 1000;
    const earliest = (after(4, 0)?.getTime() ?? 0) - NOW.getTime();
    const latest = (after(4, 0.999_999)?.getTime() ?? 0) - NOW.getTime();
    expect(earliest).toBe(Math.round(base * (1 - WEBHOOK_RETRY_JITTER)));
    expect(latest).toBeLessThanOrEqual(base * (1 + WEBHOOK_RETRY_JITTER));
    expect(latest).toBeGreaterThan(base * (1 + WEBHOOK_RETRY_JITTER) - 10);
  });
});
