import type { DependencyCheck, ReadinessChecks } from '@tessera/contract';

/**
 * What `/ready` asks of each dependency. A check resolves to its state; one that throws is
 * `down`, and one that takes longer than the bound is `down` too: an orchestrator polling
 * `/ready` must get an answer, not a hang while the database is unreachable.
 */
export type ReadinessCheck = () => Promise<DependencyCheck>;

/** Longer than any healthy answer, shorter than an orchestrator's probe timeout (often 5 s or more). */
export const READINESS_CHECK_TIMEOUT_MS = 3000;

export interface ReadinessReport {
  status: 'ready' | 'degraded' | 'not_ready';
  checks: ReadinessChecks;
}

/** Runs every check at once; not ready when any is down, degraded when any is degraded. */
export async function checkReadiness(
  checks: { database: ReadinessCheck } & Record<string, ReadinessCheck>,
  timeoutMs = READINESS_CHECK_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => [name, await bounded(check, timeoutMs)] as const),
  );
  const results = Object.fromEntries(entries) as ReadinessChecks;
  const states = entries.map(([, result]) => result.status);
  const status = states.includes('down') ? 'not_ready' : states.includes('degraded') ? 'degraded' : 'ready';
  return { status, checks: results };
}

/** The database check: it answers, and no migration is pending. */
export function databaseCheck(pendingMigrations: () => Promise<string[]>): ReadinessCheck {
  return async () => {
    const started = performance.now();
    let pending: string[];
    try {
      pending = await pendingMigrations();
    } catch {
      // The cause (a refused connection, a timeout) is in the log of the request that met it.
      return { status: 'down', message: 'the database does not answer' };
    }
    const latencyMs = Math.round(performance.now() - started);
    if (pending.length > 0) {
      return { status: 'down', message: `${pending.length} migration(s) not applied`, latencyMs };
    }
    return { status: 'up', latencyMs };
  };
}

async function bounded(check: ReadinessCheck, timeoutMs: number): Promise<DependencyCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DependencyCheck>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'down', message: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([
      check().catch((): DependencyCheck => ({ status: 'down', message: 'the check failed' })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
