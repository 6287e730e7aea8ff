import { useEffect, useState } from 'preact/hooks';

/** Every page of the UI is a path under this (the server answers index.html for each). */
export const BASE = '/ui/';

export type Route =
  | { page: 'sign-in' }
  | { page: 'sign-up' }
  | { page: 'recover' }
  | { page: 'security' }
  | { page: 'admin-users' }
  | { page: 'admin-user'; userId: string }
  | { page: 'admin-settings' }
  | { page: 'admin-history' }
  | { page: 'admin-webhooks' };

export function routeOf(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : '';
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case 'sign-up':
      return { page: 'sign-up' };
    case 'recover':
      return { page: 'recover' };
    case 'security':
      return { page: 'security' };
    case 'admin':
      if (parts[1] === 'users' && parts[2]) return { page: 'admin-user', userId: decodeURIComponent(parts[2]) };
      if (parts[1] === 'settings') return { page: 'admin-settings' };
      if (parts[1] === 'history') return { page: 'admin-history' };
      if (parts[1] === 'webhooks') return { page: 'admin-webhooks' };
      return { page: 'admin-users' };
    default:
      return { page: 'sign-in' };
  }
}

export function pathOf(route: Route): string {
  switch (route.page) {
    case 'admin-user':
      return `${BASE}admin/users/${encodeURIComponent(route.userId)}`;
    case 'admin-users':
      return `${BASE}admin`;
    case 'admin-settings':
      return `${BASE}admin/settings`;
    case 'admin-history':
      return `${BASE}admin/history`;
    case 'admin-webhooks':
      return `${BASE}admin/webhooks`;
    default:
      return `${BASE}${route.page}`;
  }
}

const listeners = new Set<() => void>();

export function navigate(route: Route, options: { replace?: boolean; hash?: string } = {}): void {
  const path = pathOf(route) + (options.hash ? `#${options.hash}` : '');
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

/** The route of the address bar, kept current through navigate() and the back button. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.pathname));
  useEffect(() => {
    const update = () => setRoute(routeOf(location.pathname));
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return route;
}
