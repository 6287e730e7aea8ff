import type { Selectable } from 'kysely';

/** A challenge handed to a browser, kept until it is used once or expires. */
export interface WebAuthnChallengeTable {
  id: string;
  challenge: string;
  purpose: string;
  flow_id: string | null;
  user_id: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export type WebAuthnChallengeRow = Selectable<WebAuthnChallengeTable>;
