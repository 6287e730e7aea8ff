import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { auditContextOf } from '../audit/audit-context.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Actor } from '../auth/actor.js';
import type { Clock } from '../clock.js';
import { newId } from '../crypto/random.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { SettingsRepository } from '../storage/repositories.js';

/** Ed25519: small signatures, fast to verify, and no parameter choices to get wrong. */
export const SIGNING_ALGORITHM = 'EdDSA';
export const SIGNING_KEYS_SETTING = 'jwt_signing_keys';
/** How long another process may keep signing with a key before it sees a rotation. */
const RELOAD_MS = 60_000;

interface StoredKey {
  kid: string;
  createdAt: string;
  /** Set when a newer key took over; the key still verifies until its last tokens expired. */
  retiredAt: string | null;
  publicJwk: JWK;
  /** The private JWK, sealed by SecretBox: a copy of the database signs nothing. */
  sealedPrivateJwk: string;
}

/** A set of Ed25519 keys kept in one setting; each private key sealed under `sealContext`. */
export interface SigningKeyPurpose {
  setting: string;
  sealContext: string;
}

export const ACCESS_TOKEN_KEYS: SigningKeyPurpose = { setting: SIGNING_KEYS_SETTING, sealContext: 'jwt-signing-key' };

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

interface LoadedKey {
  stored: StoredKey;
  publicKey: SigningKey;
}

/**
 * The keys that sign access tokens, kept in the settings table so that every process shares
 * them. Platforms verify tokens with the public keys (`/.well-known/jwks.json`) without calling
 * Tessera. A rotation adds a key and retires the others; a retired key is still published until
 * the last token it signed has expired (`keepRetiredSeconds`), then dropped.
 */
export class SigningKeys {
  private loaded: { at: number; keys: LoadedKey[] } | undefined;

  constructor(
    private readonly deps: {
      settings: SettingsRepository;
      secretBox: SecretBox;
      clock: Clock;
      /** How long a retired key keeps verifying: the access tokens' lifetime. */
      keepRetiredSeconds: number;
      /** Where the keys are kept and what their sealing is bound to (another key set: the audit trail's). @default the access tokens' */
      purpose?: SigningKeyPurpose;
    },
  ) {}

  private get purpose(): SigningKeyPurpose {
    return this.deps.purpose ?? ACCESS_TOKEN_KEYS;
  }

  /** The key new tokens are signed with (made on first use). */
  async current(): Promise<{ kid: string; privateKey: SigningKey }> {
    const keys = await this.keys();
    const newest = keys.find((key) => key.stored.retiredAt === null) ?? keys[0];
    if (!newest) throw new Error('no signing key');
    const jwk = JSON.parse(
      this.deps.secretBox
        .open(newest.stored.sealedPrivateJwk, context(newest.stored.kid, this.purpose))
        .toString('utf8'),
    ) as JWK;
    return { kid: newest.stored.kid, privateKey: await importJWK(jwk, SIGNING_ALGORITHM) };
  }

  /** The public key of `kid`, if it still verifies; another process's new key is looked up. */
  async publicKey(kid: string | undefined): Promise<SigningKey | undefined> {
    if (kid === undefined) return undefined;
    let found = (await this.keys()).find((key) => key.stored.kid === kid);
    if (!found) found = (await this.keys(true)).find((key) => key.stored.kid === kid);
    return found && this.verifies(found.stored) ? found.publicKey : undefined;
  }

  /** The JSON Web Key Set of every key that still verifies. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const keys = await this.keys(true);
    return {
      keys: keys
        .filter((key) => this.verifies(key.stored))
        .map((key) => ({ ...key.stored.publicJwk, kid: key.stored.kid, alg: SIGNING_ALGORITHM, use: 'sig' })),
    };
  }

  /** Makes a new key current; the old ones keep verifying until their tokens expired. Returns its kid. */
  async rotate(): Promise<string> {
    const now = this.deps.clock.now();
    const kept = (await this.keys(true))
      .map((key) => key.stored)
      .filter((stored) => this.verifies(stored))
      .map((stored) => ({ ...stored, retiredAt: stored.retiredAt ?? now.toISOString() }));
    const fresh = await this.generate(now);
    await this.deps.settings.set(this.purpose.setting, JSON.stringify([fresh, ...kept]));
    // Stale, so the next use reloads; the keys imported so far are kept.
    if (this.loaded) this.loaded = { at: Number.NEGATIVE_INFINITY, keys: this.loaded.keys };
    return fresh.kid;
  }

  private verifies(stored: StoredKey): boolean {
    if (stored.retiredAt === null) return true;
    const until = Date.parse(stored.retiredAt) + this.deps.keepRetiredSeconds * 1000;
    return this.deps.clock.now().getTime() < until;
  }

  private async keys(reload = false): Promise<LoadedKey[]> {
    const now = this.deps.clock.now().getTime();
    if (!reload && this.loaded && now - this.loaded.at < RELOAD_MS) return this.loaded.keys;
    let stored = await this.deps.settings.get(this.purpose.setting);
    // Two processes starting together both generate; setIfAbsent keeps the first, and both use it.
    if (stored === undefined) {
      stored = await this.deps.settings.setIfAbsent(
        this.purpose.setting,
        JSON.stringify([await this.generate(new Date(now))]),
      );
    }
    // A key already imported is kept: a reload (every RELOAD_MS, or for a kid not seen yet)
    // imports only the keys that are new.
    const imported = new Map(this.loaded?.keys.map((key) => [key.stored.kid, key.publicKey]));
    const keys = await Promise.all(
      (JSON.parse(stored) as StoredKey[]).map(async (key) => ({
        stored: key,
        publicKey: imported.get(key.kid) ?? (await importJWK(key.publicJwk, SIGNING_ALGORITHM)),
      })),
    );
    this.loaded = { at: now, keys };
    return keys;
  }

  private async generate(now: Date): Promise<StoredKey> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { crv: 'Ed25519', extractable: true });
    const kid = newId();
    const privateJwk = await exportJWK(privateKey);
    return {
      kid,
      createdAt: now.toISOString(),
      retiredAt: null,
      publicJwk: await exportJWK(publicKey),
      sealedPrivateJwk: this.deps.secretBox.seal(
        Buffer.from(JSON.stringify(privateJwk), 'utf8'),
        context(kid, this.purpose),
      ),
    };
  }
}

function context(kid: string, purpose: SigningKeyPurpose = ACCESS_TOKEN_KEYS): string {
  return `${purpose.sealContext}:${kid}`;
}

/**
 * The stored signing keys with every private key sealed under the secret box's current key
 * (the key rotation's step for them). The signing keys themselves stay: tokens they signed
 * keep verifying, and the published key set does not change.
 */
export function resealSigningKeys(
  stored: string,
  box: SecretBox,
  purpose: SigningKeyPurpose = ACCESS_TOKEN_KEYS,
): string {
  const keys = JSON.parse(stored) as StoredKey[];
  return JSON.stringify(
    keys.map((key) => ({ ...key, sealedPrivateJwk: box.reseal(key.sealedPrivateJwk, context(key.kid, purpose)) })),
  );
}

/** The sealed private keys of the stored signing keys, for counting them by the key that sealed them. */
export function sealedSigningKeys(stored: string): string[] {
  return (JSON.parse(stored) as StoredKey[]).map((key) => key.sealedPrivateJwk);
}

/** Rotating the signing key is an admin's (or the operator's) act. */
export class SigningKeyRotation {
  constructor(
    private readonly deps: {
      keys: SigningKeys;
      authorizer: { admin(actor: Actor, operation: 'admin.manage'): Promise<unknown> };
      audit?: AuditTrail;
    },
  ) {}

  async rotate(actor: Actor): Promise<{ kid: string }> {
    await this.deps.authorizer.admin(actor, 'admin.manage');
    const kid = await this.deps.keys.rotate();
    await this.deps.audit?.record(
      { action: 'key.rotated', userId: null, details: { key: 'signing_key', kid } },
      auditContextOf(actor),
    );
    return { kid };
  }
}
