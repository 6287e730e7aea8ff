export const THEMES = ['auto', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

const SAVED_KEY = 'tessera.theme';

export function initialTheme(): Theme {
  const saved = localStorage.getItem(SAVED_KEY);
  return THEMES.find((theme) => theme === saved) ?? 'auto';
}

/** The theme is an attribute of <html>; tokens.css gives each its colours (auto follows the system). */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem(SAVED_KEY, theme);
}
