import { TesseraClient } from '@tessera/client';
import { keepTokens, storedRefreshToken } from './token-storage.js';

/** The one client of the UI: the page's own origin, which serves the API too. */
export const client = new TesseraClient({
  baseUrl: location.origin,
  onTokens: keepTokens,
});

/**
 * Picks up the session of this tab after a reload: the kept refresh token is exchanged for a
 * fresh pair. Whether a session is there.
 */
export async function resumeSession(): Promise<boolean> {
  const refreshToken = storedRefreshToken();
  if (!refreshToken) return false;
  await client.setTokens({ accessToken: '', refreshToken });
  try {
    await client.auth.refresh();
    return true;
  } catch {
    await client.setTokens(null);
    return false;
  }
}
