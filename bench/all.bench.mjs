// npm run bench: every benchmark of the performance targets, then one table of the targets.
//
// Runs bench/verify.bench.mjs (verify against the same-work reference, a bare route and
// better-auth, RSS, start-up, and 1 against 2 workers on PostgreSQL when
// TESSERA_BENCH_DATABASE_URL is set), then bench/scale.bench.mjs
// (10,000 against 1,000,000 users, history with 1,000,000 rows), each in its own process with
// its own output, and prints what each measured against its target. Exits 1 when a bench
// failed to run (an error, a refused request); a target not met is a row in the table.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BENCHES = ['bench/verify.bench.mjs', 'bench/scale.bench.mjs'];

const dir = await mkdtemp(join(tmpdir(), 'tessera-bench-summary-'));
const summary = join(dir, 'targets.jsonl');
const failed = [];
try {
  for (const script of BENCHES) {
    console.log(`\n=== ${script}\n`);
    const code = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [script], {
        env: { ...process.env, BENCH_SUMMARY: summary },
        stdio: 'inherit',
      });
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode ?? 1));
    });
    // scale.bench exits 1 for a target not met too; its rows say which.
    if (code !== 0) failed.push(`${script} exited with ${code}`);
  }
  const rows = (await readFile(summary, 'utf8').catch(() => ''))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  printTargets(rows);
  for (const line of failed) console.log(line);
  if (rows.length === 0 || failed.some((line) => line.startsWith(BENCHES[0]))) process.exitCode = 1;
} finally {
  await rm(dir, { recursive: true, force: true });
}

function printTargets(rows) {
  const width = (key, title) => Math.max(title.length, ...rows.map((row) => String(row[key]).length));
  const cols = [
    ['what', 'measured case'],
    ['figure', 'figure'],
    ['target', 'target'],
  ].map(([key, title]) => ({ key, title, width: width(key, title) }));
  const line = (cells) => `| ${cells.join(' | ')} |`;
  console.log(`\nAll targets (${rows.filter((row) => row.met).length} of ${rows.length} met)\n`);
  console.log(line([...cols.map((c) => c.title.padEnd(c.width)), 'met']));
  console.log(line([...cols.map((c) => '-'.repeat(c.width)), '---']));
  for (const row of rows)
    console.log(line([...cols.map((c) => String(row[c.key]).padEnd(c.width)), row.met ? 'yes' : 'NO ']));
}
