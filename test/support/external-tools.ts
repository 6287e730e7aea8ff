import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The code `oathtool` (an independent implementation) computes for a base32 key at `at`. */
export function oathtoolCode(secret: string, at: Date): string {
  return run('oathtool', ['--totp', '-b', '--now', `@${Math.floor(at.getTime() / 1000)}`, secret]).trim();
}

/** What `zbarimg` reads from a PNG data URL: the text a phone's camera would get. */
export function zbarimgDataUrl(dataUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-qr-'));
  try {
    const file = join(dir, 'qr.png');
    writeFileSync(file, Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
    // Only the newline zbarimg appends is removed.
    return run('zbarimg', ['--raw', '-q', file]).replace(/\n$/, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(tool: string, args: string[]): string {
  try {
    return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${tool} is not installed (apt-get install oathtool zbar-tools); .ci/run installs it`);
    }
    throw error;
  }
}
