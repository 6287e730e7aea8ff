import { describe, expect, it } from 'vitest';
import {
  aBackupCodeSet,
  aFlow,
  aHistoryEntry,
  aLockout,
  anActiveFactor,
  anApiToken,
  aPendingFactor,
  aRefreshToken,
  aSessionFamily,
  aTrustedDevice,
  at,
  aUser,
  T0,
} from '../record-factories.js';
import type { ContractContext } from './context.js';

/** Users: accounts, their second-factor details, and the admin listing. */
export function describeUserContract(ctx: ContractContext): void {
  describe('users', () => {
    it('stores a user and reads it back by id and by username, times exact to the millisecond', async () => {
      const user = await ctx.createdUser({ phone: '+15550100', role: 'admin', issuer: 'Acme' });
      expect(await ctx.storage.users.findById(user.id)).toEqual(user);
      expect(await ctx.storage.users.findByUsername(user.username)).toEqual(user);
      expect((await ctx.storage.users.findById(user.id))?.createdAt.getTime()).toBe(T0.getTime());
    });

    it('finds nothing for an unknown id or username, including a malformed id', async () => {
      expect(await ctx.storage.users.findById('00000000-0000-0000-0000-000000000000')).toBeUndefined();
      expect(await ctx.storage.users.findById('not a uuid')).toBeUndefined();
      expect(await ctx.storage.users.findByUsername('nobody')).toBeUndefined();
    });

    it('returns username_taken on a username clash and stores nothing', async () => {
      const first = await ctx.createdUser();
      const clash = aUser({ username: first.username });
      expect(await ctx.storage.users.create(clash)).toBe('username_taken');
      expect(await ctx.storage.users.findById(clash.id)).toBeUndefined();
      expect(await ctx.storage.users.count()).toBe(1);
    });

    it('returns email_taken on an email clash and stores nothing', async () => {
      const first = await ctx.createdUser();
      const clash = aUser({ email: first.email });
      expect(await ctx.storage.users.create(clash)).toBe('email_taken');
      expect(await ctx.storage.users.findById(clash.id)).toBeUndefined();
    });

    it('allows any number of users without an email', async () => {
      await ctx.createdUser({ email: null });
      await ctx.createdUser({ email: null });
      expect(await ctx.storage.users.count()).toBe(2);
    });

    it('still throws for a clash that is neither username nor email (a duplicate id)', async () => {
      const first = await ctx.createdUser();
      await expect(ctx.storage.users.create(aUser({ id: first.id }))).rejects.toThrow();
    });

    it('counts users', async () => {
      expect(await ctx.storage.users.count()).toBe(0);
      await ctx.createdUser();
      await ctx.createdUser();
      expect(await ctx.storage.users.count()).toBe(2);
    });
  });

  describe('users: second-factor methods', () => {
    it('finds a user by email', async () => {
      const user = await ctx.createdUser({ email: 'alice@example.test' });
      await ctx.createdUser({ email: null });
      expect(await ctx.storage.users.findByEmail('alice@example.test')).toEqual(user);
      expect(await ctx.storage.users.findByEmail('nobody@example.test')).toBeUndefined();
    });

    it("updates a password hash, issuer and phone, and only that user's", async () => {
      const user = await ctx.createdUser({ phone: null, issuer: null });
      const other = await ctx.createdUser();
      expect(await ctx.storage.users.updatePasswordHash(user.id, '$argon2id$new')).toBe(true);
      expect(await ctx.storage.users.updateIssuer(user.id, 'Acme')).toBe(true);
      expect(await ctx.storage.users.updatePhone(user.id, '+15550100')).toBe(true);
      expect(await ctx.storage.users.findById(user.id)).toEqual({
        ...user,
        passwordHash: '$argon2id$new',
        issuer: 'Acme',
        phone: '+15550100',
      });
      expect(await ctx.storage.users.findById(other.id)).toEqual(other);
    });

    it('clears the issuer and the phone with null', async () => {
      const user = await ctx.createdUser({ phone: '+15550100', issuer: 'Acme' });
      expect(await ctx.storage.users.updateIssuer(user.id, null)).toBe(true);
      expect(await ctx.storage.users.updatePhone(user.id, null)).toBe(true);
      expect(await ctx.storage.users.findById(user.id)).toEqual({ ...user, issuer: null, phone: null });
    });

    it('lists the phones not starting with the sealed prefix, a limited batch at a time', async () => {
      const plain = await ctx.createdUser({ phone: '+15550111' });
      const sealed = await ctx.createdUser({ phone: 'v1_.key.iv.body' });
      const none = await ctx.createdUser({ phone: null });
      // The prefix holds LIKE's wildcard `_`: it must match as written, not as a pattern.
      const listed = await ctx.storage.users.listUnsealedPhones('v1_.', 1_000);
      const ids = listed.map((row) => row.id);
      expect(listed).toContainEqual({ id: plain.id, phone: '+15550111' });
      expect(ids).not.toContain(sealed.id);
      expect(ids).not.toContain(none.id);
      expect(await ctx.storage.users.listUnsealedPhones('v1_.', 1)).toHaveLength(1);
      await ctx.storage.users.updatePhone(plain.id, 'v1_.sealed');
      expect((await ctx.storage.users.listUnsealedPhones('v1_.', 1_000)).map((row) => row.id)).not.toContain(plain.id);
    });

    it("updates an e-mail address, refusing another account's as email_taken", async () => {
      const user = await ctx.createdUser();
      const other = await ctx.createdUser({ email: `taken-${user.id}@example.test` });
      expect(await ctx.storage.users.updateEmail(user.id, `new-${user.id}@example.test`)).toBe('updated');
      expect((await ctx.storage.users.findById(user.id))?.email).toBe(`new-${user.id}@example.test`);
      expect(await ctx.storage.users.updateEmail(user.id, other.email)).toBe('email_taken');
      expect((await ctx.storage.users.findById(user.id))?.email).toBe(`new-${user.id}@example.test`);
      expect(await ctx.storage.users.findById(other.id)).toEqual(other);
      expect(await ctx.storage.users.updateEmail(user.id, null)).toBe('updated');
      expect((await ctx.storage.users.findById(user.id))?.email).toBeNull();
      expect(await ctx.storage.users.updateEmail('00000000-0000-0000-0000-000000000000', 'x@example.test')).toBe(
        'not_found',
      );
    });

    it("renames an account and changes its role, refusing another account's username as username_taken", async () => {
      const user = await ctx.createdUser();
      const other = await ctx.createdUser();
      const renamed = `renamed-${user.id.slice(0, 8)}`;
      expect(await ctx.storage.users.updateIdentity(user.id, { username: renamed, role: 'admin' })).toBe('updated');
      expect(await ctx.storage.users.findById(user.id)).toMatchObject({ username: renamed, role: 'admin' });
      expect((await ctx.storage.users.findByUsername(renamed))?.id).toBe(user.id);
      expect(await ctx.storage.users.updateIdentity(user.id, { username: other.username, role: 'user' })).toBe(
        'username_taken',
      );
      // Nothing of a refused change is written: neither the name nor the role.
      expect(await ctx.storage.users.findById(user.id)).toMatchObject({ username: renamed, role: 'admin' });
      expect(await ctx.storage.users.findById(other.id)).toEqual(other);
      expect(await ctx.storage.users.updateIdentity(user.id, { role: 'user' })).toBe('updated');
      expect((await ctx.storage.users.findById(user.id))?.role).toBe('user');
      expect(await ctx.storage.users.updateIdentity('00000000-0000-0000-0000-000000000000', { role: 'user' })).toBe(
        'not_found',
      );
    });

    it('reports an unknown user on update', async () => {
      const nobody = '00000000-0000-0000-0000-000000000000';
      expect(await ctx.storage.users.updatePasswordHash(nobody, 'x')).toBe(false);
      expect(await ctx.storage.users.updateIssuer(nobody, 'Acme')).toBe(false);
      expect(await ctx.storage.users.updatePhone(nobody, null)).toBe(false);
    });

    it('lists users by username with the kinds of their active factors, a page at a time', async () => {
      // Lower-case names: their order is the same in every collation.
      const carol = await ctx.createdUser({ username: 'carol' });
      const alice = await ctx.createdUser({ username: 'alice' });
      const bob = await ctx.createdUser({ username: 'bob' });
      const dave = await ctx.createdUser({ username: 'dave' });
      const totp = aPendingFactor(alice.id);
      await ctx.storage.factors.insertPending(totp);
      expect(await ctx.storage.factors.activate(totp.id, at(1), null)).toBe(true);
      expect(await ctx.storage.factors.insertActive(anActiveFactor(alice.id))).toBe('inserted');
      await ctx.storage.factors.insertPending(aPendingFactor(alice.id, { kind: 'sms' }));
      await ctx.storage.factors.insertPending(aPendingFactor(bob.id));
      expect(await ctx.storage.factors.insertActive(anActiveFactor(dave.id, { kind: 'email' }))).toBe('inserted');

      expect(await ctx.storage.users.listWithFactors(10, 0)).toEqual({
        items: [
          { user: alice, activeKinds: ['backup_codes', 'totp'] },
          { user: bob, activeKinds: [] },
          { user: carol, activeKinds: [] },
          { user: dave, activeKinds: ['email'] },
        ],
        total: 4,
      });
      const page = await ctx.storage.users.listWithFactors(2, 1);
      expect(page.total).toBe(4);
      expect(page.items.map((item) => item.user.username)).toEqual(['bob', 'carol']);
      expect(await ctx.storage.users.listWithFactors(10, 4)).toEqual({ items: [], total: 4 });
    });

    it('searches usernames, e-mail addresses and externalIds, in any case, wildcards taken literally', async () => {
      await ctx.createdUser({ username: 'alice', email: 'Alice@Example.com' });
      await ctx.createdUser({ username: 'bob', externalId: 'platform-B_7' });
      await ctx.createdUser({ username: 'carol_x' });
      await ctx.createdUser({ username: 'carolyx' });
      const names = async (search: string, limit = 10, offset = 0) => {
        const page = await ctx.storage.users.listWithFactors(limit, offset, search);
        return { names: page.items.map((item) => item.user.username), total: page.total };
      };
      expect(await names('EXAMPLE.COM')).toEqual({ names: ['alice'], total: 1 });
      expect(await names('b_7')).toEqual({ names: ['bob'], total: 1 });
      expect(await names('carol_')).toEqual({ names: ['carol_x'], total: 1 });
      expect(await names('%')).toEqual({ names: [], total: 0 });
      expect(await names('ROL', 1, 1)).toEqual({ names: ['carolyx'], total: 2 });
    });
  });
  describe('users: accounts an admin manages', () => {
    it('keeps an account without a password, its externalId and its disabled time', async () => {
      const user = await ctx.createdUser({ passwordHash: null, externalId: 'platform-42', disabledAt: at(5) });
      expect(await ctx.storage.users.findById(user.id)).toEqual(user);
      expect(await ctx.storage.users.findByExternalId('platform-42')).toEqual(user);
      expect(await ctx.storage.users.findByExternalId('platform-43')).toBeUndefined();
    });

    it('returns external_id_taken on an externalId clash and stores nothing; many may have none', async () => {
      await ctx.createdUser({ externalId: 'platform-1' });
      await ctx.createdUser({ externalId: null });
      await ctx.createdUser({ externalId: null });
      const clash = aUser({ externalId: 'platform-1' });
      expect(await ctx.storage.users.create(clash)).toBe('external_id_taken');
      expect(await ctx.storage.users.findById(clash.id)).toBeUndefined();
    });

    it('updates e-mail and phone, refuses a taken address, and says when there is no such user', async () => {
      const other = await ctx.createdUser();
      const user = await ctx.createdUser();
      expect(await ctx.storage.users.updateContact(user.id, { email: 'new@example.test', phone: '+15550123' })).toBe(
        'updated',
      );
      expect(await ctx.storage.users.findById(user.id)).toMatchObject({
        email: 'new@example.test',
        phone: '+15550123',
      });
      expect(await ctx.storage.users.updateContact(user.id, { email: other.email })).toBe('email_taken');
      expect((await ctx.storage.users.findById(user.id))?.email).toBe('new@example.test');
      expect(await ctx.storage.users.updateContact(user.id, { phone: null })).toBe('updated');
      expect(await ctx.storage.users.findById(user.id)).toMatchObject({ email: 'new@example.test', phone: null });
      expect(await ctx.storage.users.updateContact(aUser().id, { email: 'x@example.test' })).toBe('not_found');
    });

    it('disables and enables an account', async () => {
      const user = await ctx.createdUser();
      expect(await ctx.storage.users.setDisabled(user.id, at(7))).toBe(true);
      expect((await ctx.storage.users.findById(user.id))?.disabledAt).toEqual(at(7));
      expect(await ctx.storage.users.setDisabled(user.id, null)).toBe(true);
      expect((await ctx.storage.users.findById(user.id))?.disabledAt).toBeNull();
      expect(await ctx.storage.users.setDisabled(aUser().id, at(7))).toBe(false);
    });

    it('deletes an account with everything of its own, and leaves its history pseudonymised', async () => {
      const user = await ctx.createdUser();
      const admin = await ctx.createdUser();
      const { storage } = ctx;
      expect(await storage.factors.insertActive(anActiveFactor(user.id))).toBe('inserted');
      await storage.backupCodes.replaceSet(user.id, aBackupCodeSet(user.id, 2));
      const family = aSessionFamily(user.id);
      await storage.sessions.createFamily(family);
      await storage.sessions.insertRefreshToken(aRefreshToken(family));
      const token = anApiToken(user.id);
      await storage.apiTokens.insert(token);
      await storage.flows.insert(aFlow(user.id));
      await storage.trustedDevices.insert(aTrustedDevice(user.id));
      expect(await storage.lockouts.compareAndSet(0, aLockout(user.id))).toBe(true);
      const about = aHistoryEntry(user.id, { actor: 'admin', actorId: admin.id, clientIp: '198.51.100.1' });
      const own = aHistoryEntry(user.id);
      const asActor = aHistoryEntry(admin.id, { actor: 'admin', actorId: user.id });
      for (const entry of [about, own, asActor]) await storage.history.insert(entry);

      const deleted = await storage.transaction(async (tx) => {
        expect(await tx.history.pseudonymise(user.id, 'deleted-1')).toBe(2);
        return tx.users.delete(user.id);
      });
      expect(deleted).toBe(true);
      expect(await storage.users.findById(user.id)).toBeUndefined();
      expect(await storage.apiTokens.findWithOwnerByHash(token.tokenHash)).toBeUndefined();
      for (const table of [
        'factors',
        'backup_codes',
        'session_families',
        'refresh_tokens',
        'api_tokens',
        'flows',
        'trusted_devices',
        'lockouts',
      ] as const) {
        const rows = await storage.db.selectFrom(table).select('user_id').where('user_id', '=', user.id).execute();
        expect(rows, table).toEqual([]);
      }
      expect(await storage.history.findById(about.id)).toMatchObject({
        userId: null,
        userPseudonym: 'deleted-1',
        actorId: admin.id,
        clientIp: '198.51.100.1',
      });
      expect(await storage.history.findById(own.id)).toMatchObject({
        userId: null,
        userPseudonym: 'deleted-1',
        actorId: 'deleted-1',
        clientIp: null,
      });
      expect(await storage.history.findById(asActor.id)).toMatchObject({ userId: admin.id, actorId: 'deleted-1' });
      expect(await storage.users.delete(user.id)).toBe(false);
    });

    it('lists each user with their lockout row', async () => {
      const user = await ctx.createdUser({ username: 'locked' });
      await ctx.createdUser({ username: 'open' });
      const lockout = aLockout(user.id, { lockedUntil: at(60_000) });
      expect(await ctx.storage.lockouts.compareAndSet(0, lockout)).toBe(true);
      const page = await ctx.storage.users.listWithFactors(10, 0);
      expect(page.items.map((item) => [item.user.username, item.lockout?.lockedUntil])).toEqual([
        ['locked', at(60_000)],
        ['open', undefined],
      ]);
    });
  });

  describe('users: cPanel accounts (domain, sub-accounts)', () => {
    it('stores a domain and an owner with its kind, and reads them back', async () => {
      const owner = await ctx.createdUser({ username: 'owner', domain: 'example.com' });
      const mailbox = await ctx.createdUser({
        username: 'info@example.com',
        email: null,
        ownerId: owner.id,
        subKind: 'email',
      });
      expect(await ctx.storage.users.findById(owner.id)).toEqual(owner);
      expect(await ctx.storage.users.findByUsername('info@example.com')).toEqual(mailbox);
    });

    it("lists an owner's sub-accounts by username, and says whether it owns any", async () => {
      const owner = await ctx.createdUser({ username: 'owner' });
      const other = await ctx.createdUser({ username: 'other' });
      const team = await ctx.createdUser({ username: 'zed@owner', email: null, ownerId: owner.id, subKind: 'team' });
      const mail = await ctx.createdUser({
        username: 'a@example.com',
        email: null,
        ownerId: owner.id,
        subKind: 'email',
      });
      await ctx.createdUser({ username: 'b@example.com', email: null, ownerId: other.id, subKind: 'email' });
      expect(await ctx.storage.users.listOwnedBy(owner.id)).toEqual([mail, team]);
      expect(await ctx.storage.users.ownsAccounts(owner.id)).toBe(true);
      expect(await ctx.storage.users.ownsAccounts(team.id)).toBe(false);
      expect(await ctx.storage.users.listOwnedBy(team.id)).toEqual([]);
    });

    it('refuses an owner that does not exist', async () => {
      const orphan = aUser({ ownerId: '00000000-0000-0000-0000-000000000000', subKind: 'email', email: null });
      await expect(ctx.storage.users.create(orphan)).rejects.toThrow();
      expect(await ctx.storage.users.findById(orphan.id)).toBeUndefined();
    });

    it('pages through top-level accounts by username after a key, leaving sub-accounts out', async () => {
      const carol = await ctx.createdUser({ username: 'carol' });
      const alice = await ctx.createdUser({ username: 'alice', domain: 'alice.example' });
      const bob = await ctx.createdUser({ username: 'bob' });
      await ctx.createdUser({ username: 'bob@alice.example', email: null, ownerId: alice.id, subKind: 'email' });
      expect(await ctx.storage.factors.insertActive(anActiveFactor(alice.id))).toBe('inserted');

      expect(await ctx.storage.users.listTopLevelWithFactors(null, 2)).toEqual([
        { user: alice, activeKinds: ['backup_codes'] },
        { user: bob, activeKinds: [] },
      ]);
      expect(await ctx.storage.users.listTopLevelWithFactors('bob', 2)).toEqual([{ user: carol, activeKinds: [] }]);
      expect(await ctx.storage.users.listTopLevelWithFactors('carol', 2)).toEqual([]);
    });
  });
}
