/*
 * Every class the UI's markup names is one its stylesheets define, so a layout class (a form laid
 * out in a table cell, a row of actions) cannot go missing unnoticed. The few classes that only
 * name a region for the markup's readers, and are styled by nothing on purpose, are listed here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const WEB_SRC = new URL('../../packages/web/src/', import.meta.url).pathname;
/** Names of regions (a step-up, a wizard, the backup codes shown, the advanced options), not of styles. */
const NAMES_ONLY = new Set(['advanced', 'backup-codes', 'step-up', 'wizard']);

function filesUnder(dir: string, ending: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(ending))
    .map((entry) => join(entry.parentPath, entry.name));
}

function classesInMarkup(): Set<string> {
  const found = new Set<string>();
  for (const file of filesUnder(WEB_SRC, '.tsx')) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\bclass="([^"]*)"/g)) {
      for (const name of (match[1] ?? '').split(/\s+/)) if (name) found.add(name);
    }
  }
  return found;
}

const stylesheets = filesUnder(join(WEB_SRC, 'themes'), '.css')
  .map((file) => readFileSync(file, 'utf8'))
  .join('\n');
const definedClasses = new Set([...stylesheets.matchAll(/\.([a-zA-Z][\w-]*)/g)].map((match) => match[1]));

describe('the UI stylesheet', () => {
  it('defines every class the markup uses', () => {
    const used = classesInMarkup();
    expect(used.size).toBeGreaterThan(20);
    const undefinedClasses = [...used].filter((name) => !definedClasses.has(name) && !NAMES_ONLY.has(name));
    expect(undefinedClasses).toEqual([]);
  });
});
