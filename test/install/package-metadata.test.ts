import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const manifests = [
  'package.json',
  ...readdirSync(new URL('packages/', root)).map((dir) => `packages/${dir}/package.json`),
];

describe('licence and package metadata', () => {
  it('the repository carries the Apache License 2.0', () => {
    const license = readFileSync(new URL('LICENSE', root), 'utf8');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
  });

  it.each(manifests)('%s names the licence, what it is and the Node version it needs', (manifest) => {
    const pkg = JSON.parse(readFileSync(new URL(manifest, root), 'utf8')) as Record<string, unknown>;
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.description).toEqual(expect.stringMatching(/\w{3,}/));
    expect(pkg.engines).toEqual({ node: '>=20' });
  });
});
