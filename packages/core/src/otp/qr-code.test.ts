import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildOtpauthUri } from './otpauth-uri.js';
import { qrPngDataUrl, qrSvg } from './qr-code.js';

const URI = buildOtpauthUri({
  issuer: 'ACME Co',
  accountName: 'alice@example.com',
  secret: 'JBSWY3DPEHPK3PXP',
  algorithm: 'SHA1',
  digits: 6,
  period: 30,
});

const dir = mkdtempSync(join(tmpdir(), 'otp-qr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('qrPngDataUrl', () => {
  it('encodes the otpauth URI so that a QR reader (zbarimg) reads it back exactly', async () => {
    const dataUrl = await qrPngDataUrl(URI);
    const prefix = 'data:image/png;base64,';
    expect(dataUrl.startsWith(prefix)).toBe(true);

    const file = join(dir, 'code.png');
    writeFileSync(file, Buffer.from(dataUrl.slice(prefix.length), 'base64'));
    // Only the newline zbarimg appends is removed, so that stray whitespace in the code would still fail.
    expect(zbarimg(file).replace(/\n$/, '')).toBe(URI);
  });
});

describe('qrSvg', () => {
  // zbarimg (through ImageMagick) opens this SVG but finds no symbol in it, so it is checked structurally.
  it('is an SVG document drawn with a path', async () => {
    const svg = await qrSvg(URI);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<path');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('depends on the text it encodes', async () => {
    expect(await qrSvg(URI)).not.toBe(await qrSvg(`${URI}0`));
  });
});

/** Runs zbarimg (Debian package `zbar-tools`); missing, it fails the test rather than skipping it. */
function zbarimg(file: string): string {
  try {
    return execFileSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('zbarimg is not installed; install it with `apt-get install zbar-tools` to run this test');
    }
    throw error;
  }
}
