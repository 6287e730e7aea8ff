import type { Core } from '@tessera/core';
import { describe, expect, it } from 'vitest';
import { type Schedule, startAuditMaintenance } from './audit-maintenance.js';

/** A schedule the test turns by hand. */
function handSchedule(): { schedule: Schedule; turn(): void; everyMs: number; stopped: boolean } {
  const state = { turn: () => {}, everyMs: 0, stopped: false };
  return {
    schedule: (work, everyMs) => {
      state.turn = work;
      state.everyMs = everyMs;
      return {
        stop: () => {
          state.stopped = true;
        },
      };
    },
    turn: () => state.turn(),
    get everyMs() {
      return state.everyMs;
    },
    get stopped() {
      return state.stopped;
    },
  };
}

describe('audit maintenance', () => {
  it('runs the checkpoint and pruning every interval, one at a time, and logs a failure instead of stopping', async () => {
    const calls: string[] = [];
    let fail = true;
    let release: () => void = () => {};
    const core = {
      audit: {
        maintain: () =>
          new Promise<void>((resolve, reject) => {
            calls.push('maintain');
            release = () => (fail ? reject(new Error('database away')) : resolve());
          }),
      },
    } as unknown as Pick<Core, 'audit'>;
    const warnings: string[] = [];
    const logger = { info() {}, error() {}, warn: (_: object, message: string) => void warnings.push(message) };
    const hand = handSchedule();
    const maintenance = startAuditMaintenance(core, 60, logger, hand.schedule);
    expect(hand.everyMs).toBe(60_000);
    hand.turn();
    hand.turn(); // still running: not started twice
    expect(calls).toEqual(['maintain']);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual(['audit checkpoint failed; trying again later']);
    fail = false;
    hand.turn();
    expect(calls).toEqual(['maintain', 'maintain']);
    const stopping = maintenance.stop();
    release();
    await stopping;
    expect(hand.stopped).toBe(true);
  });
});
