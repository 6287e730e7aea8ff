import type { Selectable } from 'kysely';

/** One security key or passkey. Flags are 0/1 integers on both dialects; transports a JSON array. */
export interface WebAuthnCredentialTable {
  id: string;
  user_id: string;
  factor_id: string;
  credential_id: string;
  public_key: string;
  sign_count: number;
  transports: string;
  aaguid: string;
  backup_eligible: number;
  backed_up: number;
  discoverable: number;
  user_verified: number;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

export type WebAuthnCredentialRow = Selectable<WebAuthnCredentialTable>;
