import type { FactorDetailsByKind, FactorKind, FactorRecord } from './records.js';

/**
 * A factor record of `kind` with that kind's details. The one place where a kind and its
 * details, checked together by the caller's types, are joined into the union: TypeScript cannot
 * follow the correlation through a generic kind, so it is asserted here once.
 */
export function newFactor<K extends FactorKind>(
  base: Omit<FactorRecord, 'kind' | 'details'>,
  kind: K,
  details: FactorDetailsByKind[K],
): FactorRecord {
  return { ...base, kind, details } as FactorRecord;
}
