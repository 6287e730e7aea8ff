import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** deploy/tessera.service: what docs/deployment.md tells an operator to install. */
const UNIT = join(import.meta.dirname, '../../deploy/tessera.service');
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;

function directives(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    const [, key = '', value = ''] = match;
    found.set(key, [...(found.get(key) ?? []), value]);
  }
  return found;
}

describe('the systemd unit', () => {
  it('runs tessera serve as a non-root user, with the data directory and the key kept out of the unit', async () => {
    const unit = directives(await readFile(UNIT, 'utf8'));
    expect(unit.get('User')).toEqual(['tessera']);
    expect(unit.get('ExecStart')?.[0]).toMatch(/ \/opt\/tessera\/packages\/cli\/bin\/tessera\.js serve$/);
    expect(unit.get('Environment')).toContain('TESSERA_DATA_DIR=/var/lib/tessera');
    expect(unit.get('StateDirectory')).toEqual(['tessera']);
    expect(unit.get('EnvironmentFile')).toEqual(['/etc/tessera/tessera.env']);
    expect(unit.get('KillSignal')).toEqual(['SIGTERM']);
    expect(unit.get('NoNewPrivileges')).toEqual(['true']);
    // V8 compiles code at run time: this protection would stop Node.
    expect(unit.has('MemoryDenyWriteExecute')).toBe(false);
    for (const [key, values] of unit) {
      for (const value of values) expect(`${key}=${value}`).not.toMatch(/TESSERA_SECRET_KEY=|password/i);
    }
  });

  it.runIf(hasSystemdAnalyze)('passes systemd-analyze verify', async () => {
    // The unit names /usr/bin/node; verify checks that the binary exists, so point it at this one.
    const dir = await mkdtemp(join(tmpdir(), 'tessera-unit-'));
    try {
      const text = (await readFile(UNIT, 'utf8')).replace('/usr/bin/node ', `${process.execPath} `);
      const copy = join(dir, 'tessera.service');
      await writeFile(copy, text);
      const result = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      // Every line naming the unit is a problem in it (systemd-analyze exits 0 on some of them).
      const problems = result.stderr.split('\n').filter((line) => line.includes('tessera.service'));
      expect(problems, result.stderr).toEqual([]);
      expect(result.status, result.stderr).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.runIf(hasSystemdAnalyze)('systemd-analyze verify notices a broken unit (the check can fail)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-unit-'));
    try {
      const copy = join(dir, 'tessera.service');
      await writeFile(copy, (await readFile(UNIT, 'utf8')).replace('Type=simple', 'Type=sometimes'));
      const result = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      expect(result.stderr).toMatch(/tessera\.service:\d+: Failed to parse service type/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
