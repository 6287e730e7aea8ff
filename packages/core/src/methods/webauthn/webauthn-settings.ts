/** The relying party as the operator configured it (`TESSERA_WEBAUTHN_*`; see docs/configuration.md). */
export interface WebAuthnSettings {
  rpId: string;
  rpName: string;
  /** Exact origins; the origin the browser signed into a response must be one of them. */
  origins: string[];
  attestation: 'none' | 'direct' | 'enterprise';
  /** For the second-factor role; a passkey sign-in without a password always requires verification. */
  userVerification: 'preferred' | 'required' | 'discouraged';
  residentKey: 'preferred' | 'required' | 'discouraged';
  attachment: 'any' | 'platform' | 'cross-platform';
  timeoutSeconds: number;
  /** Lower-case AAGUIDs; undefined: any model may be registered. */
  allowedAaguids: string[] | undefined;
  blockedAaguids: string[];
  maxCredentials: number;
}
