import type { Clock } from '../clock.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import { newId, newOpaqueToken } from '../crypto/random.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { ApiTokenRecord, UserRecord } from '../storage/records.js';
import type { ApiTokenRepository } from '../storage/repositories.js';

export interface ApiTokenView {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

export function toApiTokenView(token: ApiTokenRecord): ApiTokenView {
  return {
    id: token.id,
    name: token.name,
    createdAt: token.createdAt.toISOString(),
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

/**
 * API tokens for server-to-server calls. The token is shown once; only its keyed hash is kept,
 * so it is found by an index lookup on the hash and a database copy cannot be used to forge one.
 * A token acts as its user, and an admin's token acts as admin.
 */
export class ApiTokenService {
  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly hasher: KeyedHasher,
    private readonly clock: Clock,
  ) {}

  async create(userId: string, name: string): Promise<{ token: string; view: ApiTokenView }> {
    const token = newOpaqueToken('tsa');
    const record: ApiTokenRecord = {
      id: newId(),
      userId,
      name,
      tokenHash: this.hasher.hash(token),
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.tokens.insert(record);
    return { token, view: toApiTokenView(record) };
  }

  async authenticate(token: string): Promise<UserRecord> {
    const user = await this.tokens.findOwnerByHash(this.hasher.hash(token));
    if (!user) throw new TesseraError('TOKEN_INVALID');
    return user;
  }

  async list(userId: string): Promise<ApiTokenView[]> {
    return (await this.tokens.listByUser(userId)).map(toApiTokenView);
  }

  async revoke(userId: string, tokenId: string): Promise<void> {
    if (!(await this.tokens.revoke(tokenId, userId, this.clock.now()))) throw new TesseraError('API_TOKEN_NOT_FOUND');
  }
}
