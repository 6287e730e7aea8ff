/*
 * The UI's words: every locale has exactly English's keys with the same placeholders, and every
 * error code the API can answer has its sentence (the UI branches on codes, never on messages).
 */
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '@tessera/contract';
import { describe, expect, it } from 'vitest';

const catalogue = (locale: string): Record<string, string> =>
  JSON.parse(readFileSync(new URL(`../../packages/web/src/i18n/messages/${locale}.json`, import.meta.url), 'utf8'));
const en = catalogue('en');
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the message catalogues', () => {
  it('have a sentence for every error code, and for a network failure', () => {
    const missing = [...Object.keys(ERROR_CODES), 'NETWORK', 'UNEXPECTED_RESPONSE'].filter(
      (code) => !en[`error.${code}`],
    );
    expect(missing).toEqual([]);
  });

  it.each(['bg'])('%s has the keys and placeholders of en, each translated', (locale) => {
    const other = catalogue(locale);
    expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      expect(placeholders(other[key] ?? ''), key).toEqual(placeholders(text));
    }
    // Words that stay the same in every language (names of languages, algorithms) aside.
    const same = Object.keys(en).filter((key) => other[key] === en[key] && !key.startsWith('layout.locale.'));
    expect(same).toEqual([]);
  });
});
