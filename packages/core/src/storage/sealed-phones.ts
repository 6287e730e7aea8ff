import type { SecretBox } from '../crypto/secret-box.js';
import type { UserRecord, UserTwoFactorSummary } from './records.js';
import type { ApiTokenRepository, NewUser, Repositories, Storage, UserRepository } from './repositories.js';

/** Every value SecretBox seals starts with its version; an E.164 number starts with `+`. */
const SEALED_PREFIX = 'v1.';

/** What an account's phone number is bound to when sealed (also used by the key rotation). */
export function phoneContext(userId: string): string {
  return `user:phone:${userId}`;
}

/**
 * The account's phone number is personal data: `users.phone` holds it sealed (SecretBox, bound to
 * the user id, like the SMS factor's number), and the core sees it in clear. The storage cannot
 * seal (it has no key), so the core's view of the storage seals on the way in and opens on the
 * way out, for the repositories of a unit of work too. No lookup by phone number exists, so no
 * keyed hash is kept beside it; one would be added with the first such lookup.
 *
 * A row written before the number was sealed still holds it in clear: it is read as it is, and
 * `sealLegacyPhones` (run at every start, once the key is known to match) seals those rows, so
 * no migration needs the key.
 */
export function withSealedPhones(storage: Storage, box: SecretBox): Storage {
  return {
    dialect: storage.dialect,
    secretKeys: storage.secretKeys,
    ...sealing(storage, box),
    transaction: (work) => storage.transaction((repositories) => work(sealing(repositories, box))),
    close: () => storage.close(),
  };
}

/** Seals every phone number still stored in clear; returns how many. */
export async function sealLegacyPhones(users: UserRepository, box: SecretBox): Promise<number> {
  let sealed = 0;
  for (;;) {
    const batch = await users.listUnsealedPhones(SEALED_PREFIX, 100);
    if (batch.length === 0) return sealed;
    for (const { id, phone } of batch) {
      await users.updatePhone(id, sealPhone(box, id, phone));
      sealed += 1;
    }
  }
}

function sealing(repositories: Repositories, box: SecretBox): Repositories {
  return {
    ...repositories,
    users: sealedUsers(repositories.users, box),
    apiTokens: sealedOwners(repositories.apiTokens, box),
  };
}

function sealPhone(box: SecretBox, userId: string, phone: string): string {
  return box.seal(Buffer.from(phone, 'utf8'), phoneContext(userId));
}

function openPhone(box: SecretBox, userId: string, stored: string | null): string | null {
  if (stored === null || !stored.startsWith(SEALED_PREFIX)) return stored;
  return box.open(stored, phoneContext(userId)).toString('utf8');
}

function opened(box: SecretBox, user: UserRecord): UserRecord;
function opened(box: SecretBox, user: UserRecord | undefined): UserRecord | undefined;
function opened(box: SecretBox, user: UserRecord | undefined): UserRecord | undefined {
  return user && { ...user, phone: openPhone(box, user.id, user.phone) };
}

function sealedUsers(users: UserRepository, box: SecretBox): UserRepository {
  return {
    create: (user: NewUser) =>
      users.create({ ...user, phone: user.phone === null ? null : sealPhone(box, user.id, user.phone) }),
    findById: async (id) => opened(box, await users.findById(id)),
    findByUsername: async (username) => opened(box, await users.findByUsername(username)),
    findByEmail: async (email) => opened(box, await users.findByEmail(email)),
    findByExternalId: async (externalId) => opened(box, await users.findByExternalId(externalId)),
    updateContact: (id, contact) =>
      users.updateContact(id, {
        ...contact,
        ...(contact.phone === undefined
          ? {}
          : { phone: contact.phone === null ? null : sealPhone(box, id, contact.phone) }),
      }),
    updateIdentity: (id, identity) => users.updateIdentity(id, identity),
    setDisabled: (id, disabledAt) => users.setDisabled(id, disabledAt),
    delete: (id) => users.delete(id),
    count: () => users.count(),
    updatePasswordHash: (id, hash) => users.updatePasswordHash(id, hash),
    updateIssuer: (id, issuer) => users.updateIssuer(id, issuer),
    updatePhone: (id, phone) => users.updatePhone(id, phone === null ? null : sealPhone(box, id, phone)),
    updateEmail: (id, email) => users.updateEmail(id, email),
    listUnsealedPhones: (prefix, limit) => users.listUnsealedPhones(prefix, limit),
    listWithFactors: async (limit, offset, search) => {
      const page = await users.listWithFactors(limit, offset, search);
      const items: UserTwoFactorSummary[] = page.items.map((item) => ({ ...item, user: opened(box, item.user) }));
      return { items, total: page.total };
    },
    listTopLevelWithFactors: async (after, limit) =>
      (await users.listTopLevelWithFactors(after, limit)).map((item) => ({ ...item, user: opened(box, item.user) })),
    listOwnedBy: async (ownerId) => (await users.listOwnedBy(ownerId)).map((user) => opened(box, user)),
    ownsAccounts: (ownerId) => users.ownsAccounts(ownerId),
  };
}

function sealedOwners(tokens: ApiTokenRepository, box: SecretBox): ApiTokenRepository {
  return {
    insert: (token) => tokens.insert(token),
    findByHash: (hash) => tokens.findByHash(hash),
    findWithOwnerByHash: async (hash) => {
      const found = await tokens.findWithOwnerByHash(hash);
      return found && { ...found, owner: opened(box, found.owner) };
    },
    listByUser: (userId) => tokens.listByUser(userId),
    revoke: (id, userId, now) => tokens.revoke(id, userId, now),
    recordUse: (id, now, since) => tokens.recordUse(id, now, since),
    replaceHash: (id, from, to) => tokens.replaceHash(id, from, to),
  };
}
