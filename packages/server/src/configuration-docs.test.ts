import { readFile } from 'node:fs/promises';
import { SERVER_SETTINGS, settingsOf } from '@tessera/core';
import { DELIVERY_SETTINGS } from '@tessera/delivery';
import { describe, expect, it } from 'vitest';
import { CONFIGURATION_DOCUMENTS } from './configuration-docs.js';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFile(new URL(path, root), 'utf8');

describe('the configuration documents', () => {
  it.each(CONFIGURATION_DOCUMENTS.map((document) => [document.path, document] as const))(
    '%s is what the settings schema generates',
    async (path, document) => {
      const current = await read(path);
      expect(current, `${path} is out of date with the settings schema: run npm run docs:config`).toBe(
        document.render(current),
      );
    },
  );

  it('list every variable of the server and of delivery', async () => {
    const page = await read('docs/configuration.md');
    const readme = await read('README.md');
    for (const group of [...SERVER_SETTINGS, ...DELIVERY_SETTINGS]) {
      for (const [name] of settingsOf(group)) expect(page).toContain(`| \`${name}\``);
    }
    for (const group of SERVER_SETTINGS) {
      for (const [name] of settingsOf(group)) expect(readme).toContain(`| \`${name}\``);
    }
  });

  it('notice a README row that no longer matches the schema', async () => {
    const [readme] = CONFIGURATION_DOCUMENTS;
    const current = await read('README.md');
    const edited = current.replace(/\| `PORT` +\| `8080` /, (row) => row.replace('8080', '8081'));
    expect(edited).not.toBe(current);
    expect(readme?.render(edited)).toBe(current);
  });
});
