// Adds lockfile entries for platform-specific optional packages that npm left out.
//
// npm 11 omits an optional dependency from package-lock.json when the registry it installs from
// has no build of it for that version (a mirror may lag behind for, say, a macOS-only binary),
// and `npm ci` then refuses the very lockfile `npm install` wrote. An entry marked optional lets
// `npm ci` try the package, skip it when it is unavailable or for another platform, and go on.
// Run after changing dependencies: `npm install && node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = path === '' ? `node_modules/${name}` : `${path}/node_modules/${name}`;
    if (packages[nested] || packages[`node_modules/${name}`]) continue;
    packages[`node_modules/${name}`] = { version, dev: entry.dev, optional: true };
    added++;
  }
}

writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional entr${added === 1 ? 'y' : 'ies'}`);
