import type { TSchema } from 'typebox';
import { settingKeywords, settingKind } from './setting-schema.js';

/*
 * The rules a single value must follow, both as a check and in words. They sit side by side so
 * that the documentation cannot promise what the check does not enforce.
 */

export type SettingValue = string | number | boolean;
export type Checked = { ok: true; value: SettingValue } | { ok: false; problem: string };

/** Checks one set, non-empty value of the variable `name` and converts it to its type. */
export function checkSetting(name: string, raw: string, schema: TSchema): Checked {
  const keywords = settingKeywords(schema);
  switch (settingKind(schema)) {
    case 'integer': {
      const { min, max } = integerBounds(schema);
      const value = Number(raw);
      if (/^\d+$/.test(raw) && value >= min && value <= max) return { ok: true, value };
      return refused(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    }
    case 'boolean':
      if (raw === 'true' || raw === 'false') return { ok: true, value: raw === 'true' };
      return refused(`${name} must be true or false (got "${raw}")`);
    case 'enum': {
      const values = keywords.enum ?? [];
      if (values.includes(raw)) return { ok: true, value: raw };
      return refused(`${name} must be one of ${values.join(', ')} (got "${raw}")`);
    }
    case 'string':
      if (keywords.minLength !== undefined && raw.length < keywords.minLength) {
        return refused(`${name} must be at least ${keywords.minLength} characters long`);
      }
      if (keywords.format === 'http-url' && !isHttpUrl(raw)) return refused(`${name} must be ${HTTP_URL}`);
      if (keywords.pattern !== undefined && !new RegExp(keywords.pattern).test(raw)) {
        const allowed = keywords.allowed ?? `text matching ${keywords.pattern}`;
        const wrong = keywords.namesRefusedItems ? refusedItems(raw, new RegExp(keywords.pattern)) : undefined;
        return refused(`${name} must be ${allowed}${wrong ? ` (${wrong})` : ''}`);
      }
      return { ok: true, value: raw };
  }
}

/** What a setting accepts, in words (markdown), or undefined when any text will do. */
export function describeAllowed(schema: TSchema): string | undefined {
  const keywords = settingKeywords(schema);
  const parts: string[] = [];
  switch (settingKind(schema)) {
    case 'integer': {
      const { min, max } = integerBounds(schema);
      parts.push(`${min}-${max}`);
      if (keywords.notLessThan) parts.push(`not less than \`${keywords.notLessThan}\``);
      break;
    }
    case 'boolean':
      parts.push('`true` or `false`');
      break;
    case 'enum':
      parts.push(wordList((keywords.enum ?? []).map((value) => `\`${value}\``)));
      break;
    case 'string':
      if (keywords.minLength !== undefined) parts.push(`at least ${keywords.minLength} characters`);
      if (keywords.format === 'http-url') parts.push(HTTP_URL);
      if (keywords.pattern !== undefined) parts.push(keywords.allowed ?? `matching \`${keywords.pattern}\``);
      break;
  }
  if (keywords.setTogetherWith) parts.push(`set together with \`${keywords.setTogetherWith}\``);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

const HTTP_URL = 'an http:// or https:// URL';

function integerBounds(schema: TSchema): { min: number; max: number } {
  const { minimum, maximum } = settingKeywords(schema);
  return { min: minimum ?? 0, max: maximum ?? Number.MAX_SAFE_INTEGER };
}

/**
 * The items of a refused comma list that fail alone (`"foo" is not one`): its pattern accepts
 * one item as a list of one. Undefined when every item passes alone (a doubled comma, say).
 */
function refusedItems(raw: string, pattern: RegExp): string | undefined {
  const failing = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => !pattern.test(part));
  if (failing.length === 0) return undefined;
  return `${failing.map((part) => JSON.stringify(part)).join(', ')} ${failing.length > 1 ? 'are' : 'is'} not one`;
}

function refused(problem: string): Checked {
  return { ok: false, problem };
}

function isHttpUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function wordList(words: string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}
