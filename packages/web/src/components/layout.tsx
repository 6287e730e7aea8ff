import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { LOCALES, type Locale, useI18n } from '../i18n/i18n.js';
import { navigate, pathOf, type Route } from '../services/router.js';
import { useSession } from '../services/session.js';
import { applyTheme, initialTheme, THEMES, type Theme } from '../themes/theme.js';

function NavLink(props: { route: Route; children: ComponentChildren }) {
  const href = pathOf(props.route);
  const current = location.pathname === href;
  return (
    <a
      href={href}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(props.route);
      }}
    >
      {props.children}
    </a>
  );
}

/** The frame of every page: the name, the navigation, the language and theme switches. */
export function Layout(props: { children: ComponentChildren }) {
  const i18n = useI18n();
  const { session, signOut } = useSession();
  const [theme, setTheme] = useState<Theme>(initialTheme);
  return (
    <>
      <a class="skip-link" href="#main">
        {i18n.t('layout.skip')}
      </a>
      <header class="top">
        <span class="brand">Tessera</span>
        {session ? (
          <nav aria-label={i18n.t('layout.nav')}>
            <NavLink route={{ page: 'security' }}>{i18n.t('layout.security')}</NavLink>
            {session.account.role === 'admin' ? (
              <>
                <NavLink route={{ page: 'admin-users' }}>{i18n.t('layout.adminUsers')}</NavLink>
                <NavLink route={{ page: 'admin-settings' }}>{i18n.t('layout.adminSettings')}</NavLink>
                <NavLink route={{ page: 'admin-history' }}>{i18n.t('layout.adminHistory')}</NavLink>
                <NavLink route={{ page: 'admin-webhooks' }}>{i18n.t('layout.adminWebhooks')}</NavLink>
              </>
            ) : null}
            <button type="button" class="link" onClick={() => signOut()}>
              {i18n.t('layout.signOut')}
            </button>
          </nav>
        ) : null}
        <div class="switches">
          <label>
            <span class="visually-hidden">{i18n.t('layout.language')}</span>
            <select
              value={i18n.locale}
              onChange={(event) => i18n.setLocale(event.currentTarget.value as Locale)}
              aria-label={i18n.t('layout.language')}
            >
              {LOCALES.map((locale) => (
                <option key={locale} value={locale}>
                  {i18n.t(`layout.locale.${locale}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span class="visually-hidden">{i18n.t('layout.theme')}</span>
            <select
              value={theme}
              aria-label={i18n.t('layout.theme')}
              onChange={(event) => {
                const next = event.currentTarget.value as Theme;
                applyTheme(next);
                setTheme(next);
              }}
            >
              {THEMES.map((name) => (
                <option key={name} value={name}>
                  {i18n.t(`layout.theme.${name}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}
