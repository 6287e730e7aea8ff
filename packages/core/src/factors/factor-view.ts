import type { FactorKind, FactorRecord, FactorStatus } from '../storage/records.js';

/** What any API may show of a factor: never the secret. */
export interface FactorView {
  id: string;
  /** The second-factor method, named `method` as everywhere in the API. */
  method: FactorKind;
  status: FactorStatus;
  createdAt: string;
  activatedAt: string | null;
  expiresAt: string | null;
  details: Record<string, string | number>;
}

export function toFactorView(factor: FactorRecord, details: Record<string, string | number>): FactorView {
  return {
    id: factor.id,
    method: factor.kind,
    status: factor.status,
    createdAt: factor.createdAt.toISOString(),
    activatedAt: factor.activatedAt?.toISOString() ?? null,
    expiresAt: factor.expiresAt?.toISOString() ?? null,
    details,
  };
}
