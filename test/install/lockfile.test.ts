import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * package-lock.json must be what npm writes from a clean tree: every package from the registry
 * pinned by `resolved` and `integrity`, and every platform-specific binary with its `os`/`cpu`, so
 * `npm ci` checks what it downloads and installs only this platform's binaries. Entries added by
 * hand, or written by npm from a stale node_modules, lack these fields. To regenerate, see the
 * README's install notes.
 */
interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const root = new URL('../../', import.meta.url);
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};
const entries = Object.entries(lock.packages);
/** Installed packages (`…node_modules/name`), as opposed to the root and the workspaces. */
const registryEntries = entries.filter(([path, entry]) => path.includes('node_modules/') && !entry.link);
const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

/** The platform binaries in this tree: each declares `os` and `cpu` in its own package.json. */
const platformPackage = /^(@biomejs\/cli-|@rollup\/rollup-|@esbuild\/)/;

describe('package-lock.json', () => {
  it('is a lockfile version 3 with registry packages in it', () => {
    expect(lock.lockfileVersion).toBe(3);
    expect(registryEntries.length).toBeGreaterThan(100);
  });

  it('pins every registry package by resolved URL and integrity', () => {
    const incomplete = registryEntries
      .filter(
        ([path, entry]) =>
          !entry.version ||
          !entry.integrity?.startsWith('sha512-') ||
          entry.resolved !== tarballUrl(nameOf(path), entry.version),
      )
      .map(([path]) => path);
    expect(incomplete).toEqual([]);
  });

  it('gives every platform binary its os and cpu', () => {
    const platform = registryEntries.filter(([path]) => platformPackage.test(nameOf(path)));
    expect(platform.map(([path]) => nameOf(path))).toEqual(
      expect.arrayContaining(['@biomejs/cli-linux-x64', '@rollup/rollup-linux-x64-gnu', '@esbuild/linux-x64']),
    );
    const unmarked = platform
      .filter(([, entry]) => !entry.os?.length || !entry.cpu?.length || !entry.optional)
      .map(([path]) => path);
    expect(unmarked).toEqual([]);
  });

  it('matches the os, cpu and libc each installed package declares', () => {
    const mismatched: string[] = [];
    for (const [path, entry] of registryEntries) {
      const manifest = new URL(`${path}/package.json`, root);
      if (!existsSync(manifest)) continue; // optional, and not for this platform
      const declared = JSON.parse(readFileSync(manifest, 'utf8')) as Pick<LockEntry, 'os' | 'cpu' | 'libc'>;
      for (const field of ['os', 'cpu', 'libc'] as const) {
        if (declared[field] && JSON.stringify(declared[field]) !== JSON.stringify(entry[field])) {
          mismatched.push(`${path} ${field}`);
        }
      }
    }
    expect(mismatched).toEqual([]);
  });

  it('has an entry for every dependency, optional ones included (npm ci refuses a lockfile without)', () => {
    const missing: string[] = [];
    for (const [path, entry] of entries) {
      if (entry.link) continue;
      const wanted = {
        ...entry.dependencies,
        ...entry.optionalDependencies,
        ...(path.includes('node_modules/') ? {} : entry.devDependencies),
      };
      for (const name of Object.keys(wanted)) {
        if (!resolvesFrom(path, name)) missing.push(`${name} (for ${path || 'the root'})`);
      }
    }
    expect(missing).toEqual([]);
  });
});

function tarballUrl(name: string, version: string): string {
  const base = name.startsWith('@') ? name.split('/')[1] : name;
  return `https://registry.npmjs.org/${name}/-/${base}-${version}.tgz`;
}

/** Whether `name` required from the package at `path` finds an entry, as Node's lookup would. */
function resolvesFrom(path: string, name: string): boolean {
  let dir = path;
  for (;;) {
    if (lock.packages[dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`]) return true;
    if (!dir) return false;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut >= 0 ? dir.slice(0, cut) : '';
  }
}
