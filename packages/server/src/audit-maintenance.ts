import type { Core, Logger } from '@tessera/core';

/** How the periodic work is scheduled: `setInterval` in the server, a hand-driven one in tests. */
export type Schedule = (work: () => void, everyMs: number) => { stop(): void };

const intervalSchedule: Schedule = (work, everyMs) => {
  // Unref'd: a pending checkpoint never keeps a stopping process alive.
  const timer = setInterval(work, everyMs).unref();
  return { stop: () => clearInterval(timer) };
};

/**
 * Signs the audit chain head every `everySeconds` (nothing when nothing was added since) and
 * prunes by the retention, in every server process: two processes signing the same head store
 * one checkpoint. A failure (the database away for a moment) is logged and tried at the next turn.
 */
export function startAuditMaintenance(
  core: Pick<Core, 'audit'>,
  everySeconds: number,
  logger: Logger,
  schedule: Schedule = intervalSchedule,
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const turn = () => {
    if (running) return;
    running = core.audit
      .maintain()
      .catch((error: unknown) => logger.warn({ err: error }, 'audit checkpoint failed; trying again later'))
      .finally(() => {
        running = undefined;
      });
  };
  const scheduled = schedule(turn, everySeconds * 1000);
  return {
    async stop() {
      scheduled.stop();
      await running;
    },
  };
}
