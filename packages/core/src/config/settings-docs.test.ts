import { describe, expect, it } from 'vitest';
import { Setting, settingsGroup } from './setting-schema.js';
import { referenceSections, summarizeSettings, summaryTable } from './settings-docs.js';

const MAIL = settingsGroup(
  { title: 'Mail', provider: { variable: 'MAIL_PROVIDER', value: 'smtp' } },
  {
    MAIL_HOST: Setting.text({ description: 'server host name' }),
    MAIL_PORT: Setting.optional(
      Setting.integer({ description: 'server port', whenUnset: '587', minimum: 1, maximum: 65535 }),
    ),
    MAIL_TLS: Setting.flag({ description: 'TLS from the first byte', default: false }),
    MAIL_USER: Setting.optional(Setting.text({ description: 'login name' })),
  },
);

describe('settings documentation', () => {
  it('summarizes each variable with its default, or what applies when unset, and its bounds', () => {
    expect(summarizeSettings([MAIL])).toEqual([
      { name: 'MAIL_HOST', default: 'required', description: 'smtp: server host name' },
      { name: 'MAIL_PORT', default: '587', description: 'smtp: server port (1-65535)' },
      { name: 'MAIL_TLS', default: 'false', description: 'smtp: TLS from the first byte (`true` or `false`)' },
      { name: 'MAIL_USER', default: 'unset', description: 'smtp: login name' },
    ]);
  });

  it('shows a fixed default as code and other defaults as words', () => {
    const rows = summaryTable([MAIL]).split('\n');
    expect(rows[0]).toMatch(/^\| Variable +\| Default +\| Meaning +\|$/);
    expect(rows[2]).toMatch(/^\| `MAIL_HOST` +\| required +\|/);
    expect(rows[4]).toMatch(/^\| `MAIL_TLS` +\| `false` +\|/);
  });

  it('gives each group a heading, says when a provider group applies, and tabulates type and bounds', () => {
    const page = referenceSections([MAIL], 3);
    expect(page).toMatch(/^### Mail\n\nRead only when `MAIL_PROVIDER` is `smtp`/);
    expect(page).toMatch(/\| `MAIL_PORT` +\| integer +\| 587 +\| 1-65535 +\| server port +\|/);
    expect(page).toMatch(/\| `MAIL_USER` +\| string +\| unset +\| any text +\| login name +\|/);
  });
});
