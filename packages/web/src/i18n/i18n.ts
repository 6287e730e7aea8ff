import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import bg from './messages/bg.json';
import en from './messages/en.json';

/** en.json is the source: every key used is one of its keys, and every locale has them all. */
export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
export type Params = Record<string, string | number>;

export const CATALOGUES = { en, bg } satisfies Record<string, Messages>;
export type Locale = keyof typeof CATALOGUES;
export const LOCALES = Object.keys(CATALOGUES) as Locale[];

const SAVED_KEY = 'tessera.locale';

function isLocale(value: string | null): value is Locale {
  return value !== null && value in CATALOGUES;
}

/** The saved choice, else the first of the browser's languages (its Accept-Language) we have, else English. */
export function initialLocale(): Locale {
  const saved = localStorage.getItem(SAVED_KEY);
  if (isLocale(saved)) return saved;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    if (isLocale(base)) return base;
  }
  return 'en';
}

export function saveLocale(locale: Locale): void {
  localStorage.setItem(SAVED_KEY, locale);
  document.documentElement.lang = locale;
}

/** Fills `{name}` placeholders; a sentence is always whole in the catalogue, never glued. */
export function format(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export interface I18n {
  locale: Locale;
  t(key: MessageKey, params?: Params): string;
  /** A date and time as people of the locale write it. */
  dateTime(iso: string | Date): string;
  setLocale(locale: Locale): void;
}

export function makeI18n(locale: Locale, setLocale: (locale: Locale) => void): I18n {
  const messages: Messages = CATALOGUES[locale];
  const dates = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return {
    locale,
    t: (key, params) => format(messages[key], params),
    dateTime: (value) => dates.format(typeof value === 'string' ? new Date(value) : value),
    setLocale,
  };
}

export const I18nContext = createContext<I18n>(makeI18n('en', () => {}));

export function useI18n(): I18n {
  return useContext(I18nContext);
}
