import type { Clock } from '../clock.js';
import { findByKeyedHash, type KeyedHasher } from '../crypto/keyed-hash.js';
import { newId, newOpaqueToken } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { SuccessTokenRepository } from '../storage/repositories.js';

export const SUCCESS_TOKEN_TTL_SECONDS = 5 * 60;

/** The sensitive operations a passed challenge can unlock. */
export const SUCCESS_TOKEN_OPERATIONS = [
  'change_password',
  'reset_password',
  'disable_factor',
  'regenerate_backup_codes',
  'change_phone',
  'change_email',
  /** Removing one security key or passkey; the target is the credential's id. */
  'remove_webauthn_credential',
] as const;
export type SuccessTokenOperation = (typeof SUCCESS_TOKEN_OPERATIONS)[number];

export function isSuccessTokenOperation(value: string): value is SuccessTokenOperation {
  return (SUCCESS_TOKEN_OPERATIONS as readonly string[]).includes(value);
}

export interface IssuedSuccessToken {
  successToken: string;
  operation: SuccessTokenOperation;
  target: string | null;
  expiresAt: string;
}

/**
 * Single-use proofs that a challenge was passed. A token names one operation and its target:
 * one obtained to change a password cannot disable a factor.
 */
export class SuccessTokenService {
  constructor(private readonly deps: { tokens: SuccessTokenRepository; hasher: KeyedHasher; clock: Clock }) {}

  async issue(userId: string, operation: SuccessTokenOperation, target: string | null): Promise<IssuedSuccessToken> {
    const { tokens, hasher, clock } = this.deps;
    const now = clock.now();
    const successToken = newOpaqueToken('tst');
    const expiresAt = new Date(now.getTime() + SUCCESS_TOKEN_TTL_SECONDS * 1000);
    await tokens.insert({
      id: newId(),
      userId,
      tokenHash: hasher.hash(successToken),
      operation,
      target,
      createdAt: now,
      expiresAt,
      usedAt: null,
    });
    return { successToken, operation, target, expiresAt: expiresAt.toISOString() };
  }

  /** Uses the token for this operation and target; returns its user. Throws SUCCESS_TOKEN_INVALID otherwise. */
  async consume(successToken: string, operation: SuccessTokenOperation, target: string | null): Promise<string> {
    const { tokens, hasher, clock } = this.deps;
    const now = clock.now();
    const userId = (await findByKeyedHash(hasher, successToken, (hash) => tokens.consume(hash, operation, target, now)))
      ?.found;
    if (userId === undefined) throw new TesseraError('SUCCESS_TOKEN_INVALID');
    return userId;
  }

  /** As consume, and the token must belong to this user; another user's token is left unused. */
  async consumeFor(
    userId: string,
    successToken: string,
    operation: SuccessTokenOperation,
    target: string | null,
    /** The tokens of a unit of work, when using the token belongs with the operation's writes. */
    tokens: SuccessTokenRepository = this.deps.tokens,
  ): Promise<void> {
    const { hasher, clock } = this.deps;
    const now = clock.now();
    const owner = (
      await findByKeyedHash(hasher, successToken, (hash) => tokens.consume(hash, operation, target, now, userId))
    )?.found;
    if (owner === undefined) throw new TesseraError('SUCCESS_TOKEN_INVALID');
  }
}
