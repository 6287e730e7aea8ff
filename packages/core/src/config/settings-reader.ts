import { IsOptional, type Static, type TProperties, type TSchema } from 'typebox';
import { ConfigError } from './config-error.js';
import { checkSetting, type SettingValue } from './setting-rules.js';
import { type AnySettingsGroup, type SettingsGroup, settingKeywords, settingsOf } from './setting-schema.js';

export type Environment = Record<string, string | undefined>;

/**
 * Reads declared settings from the environment, group by group, and collects every problem
 * instead of stopping at the first, so a deployment is fixed in one round. Surrounding spaces
 * are ignored (unless a setting is `verbatim`) and an empty variable counts as unset.
 *
 * The values a group returns are meaningful only if `finish` then does not throw: a bad or
 * missing value is recorded as a problem and left at its default, or out.
 */
export class SettingsReader {
  private readonly problems: string[] = [];
  /** For the rules between two variables: the variables read so far that were set, */
  private readonly given = new Set<string>();
  /** and the value each one read so far ended with, default included. */
  private readonly values = new Map<string, SettingValue>();

  constructor(private readonly env: Environment) {}

  read<Properties extends TProperties>(group: SettingsGroup<Properties>): Static<SettingsGroup<Properties>> {
    const values: Record<string, SettingValue> = {};
    for (const [name, schema] of settingsOf(group)) {
      const value = this.readOne(name, schema, group);
      if (value !== undefined) values[name] = value;
    }
    return values as Static<SettingsGroup<Properties>>;
  }

  /** Throws one ConfigError listing every problem found so far, if there is any. */
  finish(): void {
    if (this.problems.length > 0) throw new ConfigError([...this.problems]);
  }

  private readOne(name: string, schema: TSchema, group: AnySettingsGroup): SettingValue | undefined {
    const keywords = settingKeywords(schema);
    const raw = this.raw(name, keywords.verbatim === true);

    let value = keywords.default;
    if (raw === undefined) {
      if (value === undefined && !IsOptional(schema)) {
        this.problems.push(requiredProblem(name, group));
      }
    } else {
      const checked = checkSetting(name, raw, schema);
      if (checked.ok) value = checked.value;
      else this.problems.push(checked.problem);
      this.given.add(name);
    }

    const partner = keywords.setTogetherWith;
    if (partner !== undefined && this.given.has(partner) !== this.given.has(name)) {
      this.problems.push(`${partner} and ${name} must be set together, or both left unset`);
    }
    const floorName = keywords.notLessThan;
    const floor = floorName === undefined ? undefined : this.values.get(floorName);
    if (typeof floor === 'number' && typeof value === 'number' && value < floor) {
      this.problems.push(`${name} must not be less than ${floorName}`);
    }

    if (value !== undefined) this.values.set(name, value);
    return value;
  }

  private raw(name: string, verbatim: boolean): string | undefined {
    const text = this.env[name];
    if (text === undefined) return undefined;
    const value = verbatim ? text : text.trim();
    return value === '' ? undefined : value;
  }
}

function requiredProblem(name: string, group: AnySettingsGroup): string {
  return group.provider
    ? `${name} is required when the ${group.provider.value} provider is selected`
    : `${name} is required`;
}
