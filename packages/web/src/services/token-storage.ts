import type { Tokens } from '@tessera/client';

/*
 * Where a browser keeps its tokens. The access token (15 minutes) lives only in memory, inside
 * the client. The refresh token is kept in this tab's sessionStorage, so that a reload stays
 * signed in and closing the tab forgets it; other tabs never see it, so two tabs never race to
 * rotate one refresh token (a reused one revokes the whole session). No cookie is involved: the
 * API takes bearer tokens only, so it has nothing a forged cross-site request could ride on,
 * and the page's CSP (scripts from this origin only, Trusted Types) is what keeps a script from
 * reading storage.
 */
const REFRESH_KEY = 'tessera.refresh';

export function storedRefreshToken(): string | null {
  return sessionStorage.getItem(REFRESH_KEY);
}

export function keepTokens(tokens: Tokens | null): void {
  if (tokens?.refreshToken) sessionStorage.setItem(REFRESH_KEY, tokens.refreshToken);
  else sessionStorage.removeItem(REFRESH_KEY);
}

/*
 * A remembered device's token (from "Remember this device") outlives the session by design, so
 * it is kept in localStorage, by account: it only spares the second factor, never the password.
 */
const DEVICE_KEY = 'tessera.devices';

function devices(): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(DEVICE_KEY) ?? '{}');
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function deviceTokenFor(username: string): string | undefined {
  return devices()[username.toLowerCase()];
}

export function rememberDeviceToken(username: string, token: string): void {
  localStorage.setItem(DEVICE_KEY, JSON.stringify({ ...devices(), [username.toLowerCase()]: token }));
}
