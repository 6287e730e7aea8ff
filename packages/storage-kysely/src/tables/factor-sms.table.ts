/** An SMS factor's number; one row per `factors` row of kind `sms`. */
export interface FactorSmsTable {
  factor_id: string;
  sealed_phone: string;
  masked_phone: string;
}
