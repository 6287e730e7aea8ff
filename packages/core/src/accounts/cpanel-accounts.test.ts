import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../auth/actor.js';
import { encodeBase32 } from '../otp/index.js';
import { type CoreUnderTest, coreUnderTest, TEST_PASSWORD, totpCode } from '../test-support/core-under-test.js';

/**
 * cPanel's account model: a primary domain on an account, and e-mail and team sub-accounts owned
 * by a top-level account, whose authenticator keys WHM exports and replaces with the owner's.
 */
describe('cPanel accounts: domain and sub-accounts', () => {
  let t: CoreUnderTest;
  let serial = 0;
  beforeAll(async () => {
    t = await coreUnderTest();
  });
  afterAll(async () => {
    await t.close();
  });

  /** A distinct, valid base32 key of 160 bits. */
  function aSecret(): string {
    serial += 1;
    return encodeBase32(new Uint8Array(20).fill(serial));
  }

  async function owner(domain?: string) {
    serial += 1;
    return t.core.accounts.create(SYSTEM_ACTOR, {
      username: `owner${serial}`,
      password: TEST_PASSWORD,
      ...(domain === undefined ? {} : { domain }),
    });
  }

  async function subAccount(ownerName: string, username: string, subKind: 'email' | 'team') {
    return t.core.accounts.create(SYSTEM_ACTOR, { username, password: TEST_PASSWORD, owner: ownerName, subKind });
  }

  describe('creating', () => {
    it('stores a primary domain, lower-cased, and sub-accounts of either kind under a top-level owner', async () => {
      const bob = await owner('Example.COM');
      expect(bob).toMatchObject({ domain: 'example.com', ownerId: null, subKind: null });
      const mail = await subAccount(bob.username, `info${serial}@example.com`, 'email');
      const team = await subAccount(bob.username, `jane${serial}@${bob.username}`, 'team');
      expect(mail).toMatchObject({ ownerId: bob.id, subKind: 'email', domain: null });
      expect(team).toMatchObject({ ownerId: bob.id, subKind: 'team' });
      expect((await t.storage.users.listOwnedBy(bob.id)).map((user) => user.id)).toEqual([mail.id, team.id]);
    });

    it('refuses an owner that does not exist, or that is itself a sub-account', async () => {
      await expect(subAccount('nobody-at-all', 'a@example.com', 'email')).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: 'The owner “nobody-at-all” does not exist.',
      });
      const bob = await owner();
      const mail = await subAccount(bob.username, `m${serial}@example.com`, 'email');
      await expect(subAccount(mail.username, `n${serial}@example.com`, 'email')).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('do not nest'),
      });
    });

    it('refuses a kind without an owner, an owner without a kind, an unknown kind, a domain or admin role on a sub-account', async () => {
      const bob = await owner();
      const base = { password: TEST_PASSWORD };
      const refused = [
        { ...base, username: 'x@example.com', subKind: 'email' as const },
        { ...base, username: 'x@example.com', owner: bob.username },
        { ...base, username: 'x@example.com', owner: bob.username, subKind: 'mailbox' as 'email' },
        { ...base, username: 'x@example.com', owner: bob.username, subKind: 'email' as const, domain: 'example.com' },
        { ...base, username: 'x@example.com', owner: bob.username, subKind: 'email' as const, role: 'admin' as const },
        { ...base, username: 'plain-name', owner: bob.username, subKind: 'team' as const },
        { ...base, username: 'top@level', domain: 'example.com' },
        { ...base, username: `ok${serial}`, domain: 'not a domain' },
      ];
      for (const input of refused) {
        await expect(t.core.accounts.create(SYSTEM_ACTOR, input), JSON.stringify(input)).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        });
      }
      expect(await t.storage.users.findByUsername('x@example.com')).toBeUndefined();
      expect(await t.storage.users.listOwnedBy(bob.id)).toEqual([]);
    });

    it('lets only an admin or the operator set a domain or an owner', async () => {
      const bob = await owner();
      const user = await t.newUser();
      await expect(
        t.core.accounts.create(user, {
          username: 'y@example.com',
          password: TEST_PASSWORD,
          owner: bob.username,
          subKind: 'email',
        }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(
        t.core.accounts.create(
          { kind: 'anonymous', clientIp: null },
          { username: 'newbie', password: TEST_PASSWORD, domain: 'a.example' },
        ),
        // Sign-up is closed here, which refuses anyone anonymous before the fields are looked at.
      ).rejects.toMatchObject({ code: 'SIGN_UP_CLOSED' });
      const admin = await t.newUser({ role: 'admin' });
      const made = await t.core.accounts.create(admin, {
        username: `y${serial}@example.com`,
        password: TEST_PASSWORD,
        owner: bob.username,
        subKind: 'email',
      });
      expect(made.ownerId).toBe(bob.id);
    });

    it('signs a sub-account in by its username, which holds an @', async () => {
      const bob = await owner();
      const mail = await subAccount(bob.username, `login${serial}@example.com`, 'email');
      expect((await t.core.accounts.checkPassword(mail.username, TEST_PASSWORD, null)).id).toBe(mail.id);
    });
  });

  describe('deleting an owner', () => {
    it('is refused while it owns accounts; an account owning none may go', async () => {
      const bob = await owner();
      const mail = await subAccount(bob.username, `del${serial}@example.com`, 'email');
      await expect(t.core.accounts.assertDeletable(bob.id)).rejects.toMatchObject({ code: 'ACCOUNT_OWNS_ACCOUNTS' });
      await expect(t.core.accounts.assertDeletable(mail.id)).resolves.toBeUndefined();
      await expect(t.core.accounts.assertDeletable((await owner()).id)).resolves.toBeUndefined();
    });
  });

  describe('listing', () => {
    it('pages top-level accounts by username for an admin, without sub-accounts; a user sees only their own', async () => {
      const admin = await t.newUser({ role: 'admin' });
      const bob = await owner('bob.example');
      const mail = await subAccount(bob.username, `list${serial}@bob.example`, 'email');
      const seen: string[] = [];
      for (let after: string | null = null; ; ) {
        const page = await t.core.admin.listControlledTopLevel(admin, after, 2);
        expect(page.length).toBeLessThanOrEqual(2);
        seen.push(...page.map((account) => account.username));
        const last = page.at(-1);
        if (page.length < 2 || !last) break;
        after = last.username;
      }
      expect(seen).toContain(bob.username);
      expect(seen).not.toContain(mail.username);
      expect(seen).toEqual([...seen].sort());
      expect(new Set(seen).size).toBe(seen.length);
      const user = await t.newUser();
      expect((await t.core.admin.listControlledTopLevel(user, null, 10)).map((a) => a.id)).toEqual([user.userId]);
      expect(await t.core.admin.listControlledTopLevel(user, user.username, 10)).toEqual([]);
    });

    it("finds a team user of the caller's only; another owner's, an e-mail account or no account is USER_NOT_FOUND", async () => {
      const bobRecord = await owner();
      const otherRecord = await owner();
      const team = await subAccount(bobRecord.username, `team${serial}@${bobRecord.username}`, 'team');
      const mail = await subAccount(bobRecord.username, `mail${serial}@example.com`, 'email');
      const othersTeam = await subAccount(otherRecord.username, `team${serial}@${otherRecord.username}`, 'team');
      const bob = {
        kind: 'user' as const,
        userId: bobRecord.id,
        role: 'user' as const,
        authentication: { method: 'session' as const, sessionId: 's' },
        clientIp: null,
      };
      expect(await t.core.admin.ownSubAccount(bob, team.username, 'team')).toMatchObject({
        id: team.id,
        twoFactorEnabled: false,
        issuer: 'Tessera Test',
      });
      for (const name of [mail.username, othersTeam.username, 'nobody@nowhere']) {
        await expect(t.core.admin.ownSubAccount(bob, name, 'team')).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
      }
    });
  });

  describe("an owner's authenticator keys (WHM migration)", () => {
    async function family() {
      const bob = await owner();
      const mail = await subAccount(bob.username, `box${serial}@example.com`, 'email');
      const team = await subAccount(bob.username, `crew${serial}@${bob.username}`, 'team');
      return { bob, mail, team };
    }

    it('replaces the keys of the owner and its named sub-accounts in one go, and exports them back', async () => {
      const admin = await t.newUser({ role: 'admin' });
      const { bob, mail, team } = await family();
      const config = {
        primary: aSecret(),
        email: { [mail.username]: aSecret() },
        team: { [team.username]: aSecret() },
      };
      await t.core.admin.replaceTotpConfig(admin, bob.id, config);
      t.clock.advanceSeconds(1);
      expect(await t.core.admin.exportTotpConfig(admin, bob.id)).toEqual(config);
      // A code of the imported key verifies for the sub-account.
      const code = totpCode(config.team[team.username] ?? '', t.clock.now());
      const signedIn = await t.core.accounts.authenticatePassword(team.username, TEST_PASSWORD, null, code);
      expect(signedIn.userId).toBe(team.id);
      const history = await t.storage.history.list({ userId: mail.id }, 'desc', 10, 0);
      expect(history.items.map((entry) => entry.action)).toEqual(['export', 'import']);
    });

    it('purges the keys of sub-accounts left out, and resets the owner when it has no primary entry', async () => {
      const admin = await t.newUser({ role: 'admin' });
      const { bob, mail, team } = await family();
      await t.core.admin.replaceTotpConfig(admin, bob.id, {
        primary: aSecret(),
        email: { [mail.username]: aSecret() },
        team: { [team.username]: aSecret() },
      });
      const teamKey = aSecret();
      t.clock.advanceSeconds(1);
      await t.core.admin.replaceTotpConfig(admin, bob.id, {
        primary: undefined,
        email: {},
        team: { [team.username]: teamKey },
      });
      expect(await t.core.admin.exportTotpConfig(admin, bob.id)).toEqual({
        primary: undefined,
        email: {},
        team: { [team.username]: teamKey },
      });
      const mailHistory = await t.storage.history.list({ userId: mail.id }, 'desc', 10, 0);
      expect(mailHistory.items[0]).toMatchObject({ action: 'disable', method: 'totp', enabled: false });
      const bobHistory = await t.storage.history.list({ userId: bob.id }, 'desc', 10, 0);
      expect(bobHistory.items.some((entry) => entry.action === 'reset')).toBe(true);
    });

    it("writes nothing when a named sub-account is another owner's, of the other kind, or a key is too short", async () => {
      const admin = await t.newUser({ role: 'admin' });
      const { bob, mail, team } = await family();
      const stranger = await family();
      const before = { primary: aSecret(), email: { [mail.username]: aSecret() }, team: {} };
      await t.core.admin.replaceTotpConfig(admin, bob.id, before);
      const refused = [
        {
          email: { [stranger.mail.username]: aSecret() },
          team: {},
          meta: { subAccount: stranger.mail.username, subAccountKind: 'email' },
        },
        {
          email: { [team.username]: aSecret() },
          team: {},
          meta: { subAccount: team.username, subAccountKind: 'email' },
        },
        {
          email: {},
          team: { [mail.username]: aSecret() },
          meta: { subAccount: mail.username, subAccountKind: 'team' },
        },
      ];
      for (const { meta, ...sections } of refused) {
        await expect(
          t.core.admin.replaceTotpConfig(admin, bob.id, { primary: aSecret(), ...sections }),
        ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', meta });
      }
      await expect(
        t.core.admin.replaceTotpConfig(admin, bob.id, {
          primary: aSecret(),
          email: { [mail.username]: 'JBSWY3DP' },
          team: {},
        }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await t.core.admin.exportTotpConfig(admin, bob.id)).toEqual(before);
    });

    it('is for admins only', async () => {
      const { bob } = await family();
      const user = await t.newUser();
      await expect(t.core.admin.exportTotpConfig(user, bob.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(
        t.core.admin.replaceTotpConfig(user, bob.id, { primary: aSecret(), email: {}, team: {} }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });
  });
});
