// What the benchmarks share: seeding a fresh database through the runtime, and running Tessera
// (or the bare route) in a child process.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadConfig, SecretBox, SYSTEM_ACTOR } from '@tessera/core';
import { createLogger, openRuntime } from '@tessera/server';

/**
 * Opens the runtime over `env`'s database, makes the admin `bench-admin` with an API token of
 * `scope`, and hands `fill` the storage, the core, a SecretBox of the key and both; closes after.
 */
export async function seedWith(env, scope, fill) {
  const config = loadConfig(env);
  const runtime = await openRuntime(config, createLogger('warn', process.stderr));
  try {
    const { storage, core } = runtime;
    const admin = await core.accounts.create(SYSTEM_ACTOR, {
      username: 'bench-admin',
      password: 'bench password',
      role: 'admin',
    });
    const { token } = await core.apiTokens.issue(admin.id, 'bench', scope);
    return await fill({ storage, core, box: new SecretBox(config.secretKey), admin, token });
  } finally {
    await runtime.close();
  }
}

/**
 * Starts `script` in a child process; resolves with it and the URL it prints on stdout. The IPC
 * channel lets the bench ask a server child for its CPU time and RSS.
 */
export function startChild(script, childEnv, nodeFlags = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, script], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    // The server's own log shares stdout; the URL is the line that is one.
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (!line.startsWith('http')) return;
      lines.close();
      // The rest of its output (the request log) is read and dropped, so the child never blocks on a full pipe.
      child.stdout.resume();
      resolve({ child, url: line.trim() });
    });
  });
}

/**
 * Hands the targets a bench measured to `npm run bench` (bench/all.bench.mjs), which names a
 * file in BENCH_SUMMARY and prints every bench's targets in one table at the end. Each row:
 * what was measured, the figure, the target, and whether it was met.
 */
export function recordTargets(rows) {
  const file = process.env.BENCH_SUMMARY;
  if (!file) return;
  appendFileSync(file, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
}
