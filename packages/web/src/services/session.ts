import type { Account, TwoFactorStatus } from '@tessera/client';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** Who is signed in, as the pages need it. */
export interface Session {
  account: Account;
  status: TwoFactorStatus;
}

export interface SessionControl {
  session: Session | null;
  /** Reads the account and its 2FA status again (after a change, or a sign-in). */
  reload(): Promise<Session | null>;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionControl>({
  session: null,
  reload: async () => null,
  signOut: async () => {},
});

export function useSession(): SessionControl {
  return useContext(SessionContext);
}
