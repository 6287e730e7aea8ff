import type { FactorDetailsByKind } from '@tessera/core';

type TotpDetails = FactorDetailsByKind['totp'];

/** A TOTP factor's key and parameters; one row per `factors` row of kind `totp`. */
export interface FactorTotpTable {
  factor_id: string;
  sealed_secret: string;
  algorithm: TotpDetails['algorithm'];
  digits: TotpDetails['digits'];
  period: number;
  /** The conditional UPDATE of recordUsedStep keeps this increasing. */
  last_used_step: number | null;
}
