// Rewrites what is generated from the settings schema: the configuration tables of README.md and
// packages/delivery/README.md, and docs/configuration.md. Run it with `npm run docs:config`,
// which builds the packages first: this script imports their compiled output.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CONFIGURATION_DOCUMENTS } from '../packages/server/dist/configuration-docs.js';

const root = new URL('../', import.meta.url);

for (const document of CONFIGURATION_DOCUMENTS) {
  const file = new URL(document.path, root);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const next = document.render(current);
  if (next === current) {
    console.log(`config-docs: ${document.path} is up to date`);
  } else {
    writeFileSync(file, next);
    console.log(`config-docs: wrote ${document.path}`);
  }
}
