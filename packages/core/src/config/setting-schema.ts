import {
  IsBoolean,
  IsEnum,
  IsInteger,
  IsString,
  type TBoolean,
  type TEnum,
  type TInteger,
  type TObject,
  type TProperties,
  type TSchema,
  type TString,
  Type,
} from 'typebox';

/*
 * The vocabulary in which every environment variable is declared: a TypeBox (JSON Schema)
 * property named after the variable, carrying its description, default and bounds. From that
 * one declaration come the typed values (`Static`), the start-up check and the documentation.
 * JSON Schema's own keywords are used where they exist; the few extra ones (see SettingKeywords)
 * say what it cannot: how to word a pattern, what an unset variable means, rules between two
 * variables.
 */

/** Every keyword a setting may carry, as the checker and the documentation read them back. */
export interface SettingKeywords {
  /** One line saying what the variable does. */
  description?: string;
  default?: string | number | boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  /** `http-url`: an absolute http:// or https:// URL. */
  format?: string;
  enum?: readonly string[];
  /** The pattern in words; a value that does not match is refused as "<NAME> must be <allowed>". */
  allowed?: string;
  /** What applies when the variable is unset and no fixed default does, e.g. "generated". */
  whenUnset?: string;
  /**
   * A comma list of public values (names, origins, addresses): a refusal names the items that
   * are wrong. Never set on a list that may hold a secret, since the message is logged.
   */
  namesRefusedItems?: boolean;
  /** Taken exactly as given: surrounding spaces are kept (they may belong to a password). */
  verbatim?: boolean;
  /** An integer refused when it is less than this other variable, read earlier. */
  notLessThan?: string;
  /** Set together with this other variable, read earlier, or both left unset. */
  setTogetherWith?: string;
}

// Type aliases, not interfaces: TypeBox takes options with an index signature.
type Described = {
  description: string;
  whenUnset?: string;
};

/** The kinds of setting the checker understands; anything else would be accepted unchecked. */
export const Setting = {
  integer(options: Described & { minimum: number; maximum: number; default?: number; notLessThan?: string }): TInteger {
    return Type.Integer(options);
  },

  text(
    options: Described & {
      default?: string;
      minLength?: number;
      format?: 'http-url';
      match?: { pattern: RegExp; allowed: string; namesRefusedItems?: boolean };
      verbatim?: boolean;
      setTogetherWith?: string;
    },
  ): TString {
    const { match, ...rest } = options;
    if (!match) return Type.String(rest);
    const { pattern, allowed, namesRefusedItems } = match;
    return Type.String({
      ...rest,
      pattern: pattern.source,
      allowed,
      ...(namesRefusedItems ? { namesRefusedItems } : {}),
    });
  },

  oneOf<const Values extends string[]>(
    values: readonly [...Values],
    options: Described & { default: Values[number] },
  ): TEnum<Values> {
    return Type.Enum(values, options);
  },

  flag(options: Described & { default: boolean }): TBoolean {
    return Type.Boolean(options);
  },

  /** May be left unset without a default: the typed value is then undefined. */
  optional: Type.Optional,
};

export type SettingsGroupOptions = {
  /** Heading in the documentation. */
  title: string;
  description?: string;
  /**
   * The group is read only when this provider is selected, and its settings that have neither
   * a default nor `optional` are then required.
   */
  provider?: { variable: string; value: string };
};

/** Settings documented under one heading, checked in the order they are declared. */
export type SettingsGroup<Properties extends TProperties> = TObject<Properties> & SettingsGroupOptions;

/** Any group, whatever its settings; what the documentation and the checker walk through. */
export type AnySettingsGroup = SettingsGroupOptions & { properties: TProperties };

export function settingsGroup<Properties extends TProperties>(
  options: SettingsGroupOptions,
  properties: Properties,
): SettingsGroup<Properties> {
  return Type.Object(properties, options) as SettingsGroup<Properties>;
}

export type SettingKind = 'integer' | 'boolean' | 'enum' | 'string';

export function settingKind(schema: TSchema): SettingKind {
  if (IsInteger(schema)) return 'integer';
  if (IsBoolean(schema)) return 'boolean';
  if (IsEnum(schema)) return 'enum';
  if (IsString(schema)) return 'string';
  throw new TypeError('A setting is an integer, a flag, one of a list of words, or text.');
}

/** The keywords of a setting. TypeBox types are plain JSON Schema objects, so this is a view. */
export function settingKeywords(schema: TSchema): SettingKeywords {
  return schema as SettingKeywords;
}

/** The settings of a group with their variable names, in declaration order. */
export function settingsOf(group: AnySettingsGroup): Array<[name: string, schema: TSchema]> {
  return Object.entries(group.properties);
}
