import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { Layout } from './components/layout.js';
import { I18nContext, initialLocale, type Locale, makeI18n, saveLocale } from './i18n/i18n.js';
import { client, resumeSession } from './services/client.js';
import { BASE, navigate, type Route, useRoute } from './services/router.js';
import { type Session, SessionContext, type SessionControl } from './services/session.js';
import { AdminHistoryView } from './views/admin/admin-history-view.js';
import { AdminSettingsView } from './views/admin/admin-settings-view.js';
import { AdminUserView } from './views/admin/admin-user-view.js';
import { AdminUsersView } from './views/admin/admin-users-view.js';
import { AdminWebhooksView } from './views/admin/admin-webhooks-view.js';
import { RecoverView } from './views/recover/recover-view.js';
import { SecurityView } from './views/security/security-view.js';
import { SignInView } from './views/sign-in/sign-in-view.js';
import { SignUpView } from './views/sign-up/sign-up-view.js';

const SIGNED_OUT_PAGES: readonly Route['page'][] = ['sign-in', 'sign-up', 'recover'];

export function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  const i18n = useMemo(
    () =>
      makeI18n(locale, (next) => {
        saveLocale(next);
        setLocale(next);
      }),
    [locale],
  );
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const [session, setSession] = useState<Session | null>(null);
  const [ready, setReady] = useState(false);
  const reload = useCallback(async () => {
    if (!client.tokens) {
      setSession(null);
      return null;
    }
    const [me, status] = await Promise.all([client.me.get(), client.twoFactor.status()]);
    const next = { account: me.account, status };
    setSession(next);
    return next;
  }, []);
  const signOut = useCallback(async () => {
    try {
      await client.auth.signOut();
    } finally {
      await client.setTokens(null);
      setSession(null);
      navigate({ page: 'sign-in' });
    }
  }, []);
  useEffect(() => {
    resumeSession()
      .then((resumed) => (resumed ? reload() : null))
      .catch(() => null)
      .finally(() => setReady(true));
  }, [reload]);
  const control: SessionControl = useMemo(() => ({ session, reload, signOut }), [session, reload, signOut]);

  const route = useRoute();
  const signedOutPage = SIGNED_OUT_PAGES.includes(route.page);
  useEffect(() => {
    if (!ready) return;
    if (location.pathname === BASE || location.pathname === `${BASE}index.html`) {
      navigate({ page: session ? 'security' : 'sign-in' }, { replace: true });
    } else if (!session && !signedOutPage) navigate({ page: 'sign-in' }, { replace: true });
    else if (session && route.page.startsWith('admin') && session.account.role !== 'admin') {
      navigate({ page: 'security' }, { replace: true });
    }
  }, [ready, session, signedOutPage, route.page]);

  return (
    <I18nContext.Provider value={i18n}>
      <SessionContext.Provider value={control}>
        <Layout>{ready ? <Page route={route} session={session} /> : null}</Layout>
      </SessionContext.Provider>
    </I18nContext.Provider>
  );
}

function Page(props: { route: Route; session: Session | null }) {
  const { route, session } = props;
  switch (route.page) {
    case 'sign-in':
      return <SignInView />;
    case 'sign-up':
      return <SignUpView />;
    case 'recover':
      return <RecoverView />;
    default:
      break;
  }
  if (!session) return null;
  switch (route.page) {
    case 'security':
      return <SecurityView session={session} />;
    case 'admin-users':
      return <AdminUsersView />;
    case 'admin-user':
      return <AdminUserView userId={route.userId} />;
    case 'admin-settings':
      return <AdminSettingsView />;
    case 'admin-history':
      return <AdminHistoryView />;
    case 'admin-webhooks':
      return <AdminWebhooksView />;
  }
}
