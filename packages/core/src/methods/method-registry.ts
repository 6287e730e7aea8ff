import type { FactorKind } from '../storage/records.js';
import type { SecondFactorMethod } from './second-factor-method.js';

export type MethodsByKind = { [K in FactorKind]: SecondFactorMethod<K> };

/** Finds the method of a kind. A new method (WebAuthn) is one more entry, not a new branch. */
export class MethodRegistry {
  constructor(private readonly methods: MethodsByKind) {}

  get<K extends FactorKind>(kind: K): SecondFactorMethod<K> {
    return this.methods[kind];
  }

  /** The method of a factor, typed to take that factor. */
  of<K extends FactorKind>(factor: { kind: K }): SecondFactorMethod<K> {
    return this.get(factor.kind);
  }
}
