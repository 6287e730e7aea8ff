import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { Setting, settingsGroup } from './setting-schema.js';
import { SettingsReader } from './settings-reader.js';

const LIMITS = settingsGroup(
  { title: 'Limits' },
  {
    LOW: Setting.integer({ description: 'low', default: 10, minimum: 1, maximum: 100 }),
    HIGH: Setting.integer({ description: 'high', default: 50, minimum: 1, maximum: 100, notLessThan: 'LOW' }),
    NAME: Setting.text({
      description: 'name',
      default: 'tessera',
      match: { pattern: /^[a-z]+$/, allowed: 'lower-case letters' },
    }),
    MODE: Setting.oneOf(['fast', 'safe'], { description: 'mode', default: 'safe' }),
    ON: Setting.flag({ description: 'on', default: false }),
  },
);

const LOGIN = settingsGroup(
  { title: 'Login', provider: { variable: 'KIND', value: 'login' } },
  {
    SERVER: Setting.text({ description: 'server', format: 'http-url' }),
    USER: Setting.optional(Setting.text({ description: 'user' })),
    PASSWORD: Setting.optional(Setting.text({ description: 'password', verbatim: true, setTogetherWith: 'USER' })),
    SECRET: Setting.optional(Setting.text({ description: 'secret', minLength: 4 })),
  },
);

function problemsOf(read: (reader: SettingsReader) => void, env: Record<string, string | undefined>): string[] {
  const reader = new SettingsReader(env);
  read(reader);
  try {
    reader.finish();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  return [];
}

describe('reading settings', () => {
  it('gives the defaults when nothing is set, and typed values when set', () => {
    expect(new SettingsReader({}).read(LIMITS)).toEqual({
      LOW: 10,
      HIGH: 50,
      NAME: 'tessera',
      MODE: 'safe',
      ON: false,
    });
    expect(new SettingsReader({ LOW: '2', HIGH: '3', NAME: 'acme', MODE: 'fast', ON: 'true' }).read(LIMITS)).toEqual({
      LOW: 2,
      HIGH: 3,
      NAME: 'acme',
      MODE: 'fast',
      ON: true,
    });
  });

  it('ignores surrounding spaces and treats an empty value as unset', () => {
    expect(new SettingsReader({ LOW: ' 7 ', NAME: '', MODE: '  ' }).read(LIMITS)).toMatchObject({
      LOW: 7,
      NAME: 'tessera',
      MODE: 'safe',
    });
  });

  it('keeps a verbatim value exactly as given', () => {
    const env = { SERVER: 'https://mail.example.com', USER: ' me ', PASSWORD: '  two words ' };
    expect(new SettingsReader(env).read(LOGIN)).toEqual({
      SERVER: 'https://mail.example.com',
      USER: 'me',
      PASSWORD: '  two words ',
    });
  });

  it('reports every bad value, in order, each by name and with its bounds', () => {
    const problems = problemsOf((reader) => reader.read(LIMITS), {
      LOW: '0',
      HIGH: 'many',
      NAME: 'Acme',
      MODE: 'slow',
      ON: 'yes',
    });
    expect(problems).toEqual([
      'LOW must be a whole number from 1 to 100 (got "0")',
      'HIGH must be a whole number from 1 to 100 (got "many")',
      'NAME must be lower-case letters',
      'MODE must be one of fast, safe (got "slow")',
      'ON must be true or false (got "yes")',
    ]);
  });

  it('refuses a value less than its floor, also when the value is left at its default', () => {
    expect(problemsOf((reader) => reader.read(LIMITS), { LOW: '20', HIGH: '19' })).toEqual([
      'HIGH must not be less than LOW',
    ]);
    expect(problemsOf((reader) => reader.read(LIMITS), { LOW: '60' })).toEqual(['HIGH must not be less than LOW']);
    expect(problemsOf((reader) => reader.read(LIMITS), { LOW: '20', HIGH: '20' })).toEqual([]);
  });

  it('requires the settings of a selected provider that have no default and are not optional', () => {
    expect(problemsOf((reader) => reader.read(LOGIN), {})).toEqual([
      'SERVER is required when the login provider is selected',
    ]);
  });

  it('checks URLs, lengths and settings that go in pairs', () => {
    expect(problemsOf((reader) => reader.read(LOGIN), { SERVER: 'ftp://x', USER: 'me', SECRET: 'abc' })).toEqual([
      'SERVER must be an http:// or https:// URL',
      'USER and PASSWORD must be set together, or both left unset',
      'SECRET must be at least 4 characters long',
    ]);
    expect(problemsOf((reader) => reader.read(LOGIN), { SERVER: 'http://x', PASSWORD: 'pw' })).toEqual([
      'USER and PASSWORD must be set together, or both left unset',
    ]);
  });

  it('collects the problems of several groups into one error', () => {
    const problems = problemsOf(
      (reader) => {
        reader.read(LIMITS);
        reader.read(LOGIN);
      },
      { LOW: 'x' },
    );
    expect(problems).toEqual([
      'LOW must be a whole number from 1 to 100 (got "x")',
      'SERVER is required when the login provider is selected',
    ]);
  });
});
