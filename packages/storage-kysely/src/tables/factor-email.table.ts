/** An e-mail factor's masked address; one row per `factors` row of kind `email`. */
export interface FactorEmailTable {
  factor_id: string;
  masked_email: string;
}
