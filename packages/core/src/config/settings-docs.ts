import { IsOptional, type TSchema } from 'typebox';
import { markdownTable } from './markdown-table.js';
import { describeAllowed } from './setting-rules.js';
import { type AnySettingsGroup, settingKeywords, settingKind, settingsOf } from './setting-schema.js';

/** One variable as the documentation shows it. */
export interface SettingDoc {
  name: string;
  type: 'integer' | 'boolean' | 'string';
  /** The fixed default, when there is one. */
  defaultValue: string | undefined;
  /** Otherwise what applies when the variable is unset: "unset", "required" or the setting's own words. */
  whenUnset: string;
  /** What the variable accepts, in markdown, when not just any text. */
  allowed: string | undefined;
  description: string;
  /** The provider whose settings these are, when read only for one provider. */
  provider: string | undefined;
}

export function documentSettings(group: AnySettingsGroup): SettingDoc[] {
  return settingsOf(group).map(([name, schema]) => documentSetting(name, schema, group));
}

function documentSetting(name: string, schema: TSchema, group: AnySettingsGroup): SettingDoc {
  const keywords = settingKeywords(schema);
  const kind = settingKind(schema);
  return {
    name,
    type: kind === 'enum' ? 'string' : kind,
    defaultValue: keywords.default === undefined ? undefined : String(keywords.default),
    whenUnset: keywords.whenUnset ?? (IsOptional(schema) ? 'unset' : 'required'),
    allowed: describeAllowed(schema),
    description: keywords.description ?? '',
    provider: group.provider?.value,
  };
}

/** A README row: the variable, its default and its meaning in one line, without markdown around the default. */
export interface SettingSummary {
  name: string;
  default: string;
  description: string;
}

export function summarizeSettings(groups: readonly AnySettingsGroup[]): SettingSummary[] {
  return groups.flatMap(documentSettings).map((doc) => ({
    name: doc.name,
    default: doc.defaultValue ?? doc.whenUnset,
    description: meaning(doc),
  }));
}

/** The short table of a README: variable, default, meaning. */
export function summaryTable(groups: readonly AnySettingsGroup[]): string {
  return markdownTable(
    ['Variable', 'Default', 'Meaning'],
    groups.flatMap(documentSettings).map((doc) => [code(doc.name), defaultCell(doc), meaning(doc)]),
  );
}

/** The full reference of some groups: a heading, when the group applies, and a table per group. */
export function referenceSections(groups: readonly AnySettingsGroup[], headingLevel: number): string {
  return groups
    .map((group) => {
      const applies = group.provider
        ? `Read only when \`${group.provider.variable}\` is \`${group.provider.value}\`; a setting marked required must then be set.`
        : undefined;
      const table = markdownTable(
        ['Variable', 'Type', 'Default', 'Allowed', 'Meaning'],
        documentSettings(group).map((doc) => [
          code(doc.name),
          doc.type,
          defaultCell(doc),
          doc.allowed ?? 'any text',
          doc.description,
        ]),
      );
      return [`${'#'.repeat(headingLevel)} ${group.title}`, applies, group.description, table]
        .filter((part) => part !== undefined)
        .join('\n\n');
    })
    .join('\n\n');
}

/** The one-line meaning of a README row: provider, description and what is allowed. */
function meaning(doc: SettingDoc): string {
  const provider = doc.provider ? `${doc.provider}: ` : '';
  const allowed = doc.allowed ? ` (${doc.allowed})` : '';
  return `${provider}${doc.description}${allowed}`;
}

function defaultCell(doc: SettingDoc): string {
  return doc.defaultValue === undefined ? doc.whenUnset : code(doc.defaultValue);
}

function code(text: string): string {
  return `\`${text}\``;
}
