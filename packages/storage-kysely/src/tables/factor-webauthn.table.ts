/** A `webauthn` factor's details; one row per `factors` row of kind `webauthn` (the keys are in webauthn_credentials). */
export interface FactorWebAuthnTable {
  factor_id: string;
  rp_id: string;
}
