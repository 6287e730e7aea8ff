import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TesseraError } from '../errors/tessera-error.js';
import { codeProof } from '../methods/second-factor-method.js';
import { type CoreUnderTest, coreUnderTest, totpCode } from '../test-support/core-under-test.js';

describe('AdminService', () => {
  let t: CoreUnderTest;
  beforeAll(async () => {
    t = await coreUnderTest();
  });
  afterAll(async () => {
    await t.close();
  });

  async function userWithTotp() {
    const user = await t.newUser();
    const started = await t.core.enable.start(user, { method: 'totp' });
    await t.core.enable.confirm(user, started.flowId, codeProof(totpCode(started.totp?.secret ?? '', t.clock.now())));
    return user;
  }

  it('resets several users at once and reports each failure without stopping', async () => {
    const admin = await t.newUser({ role: 'admin' });
    const first = await userWithTotp();
    const second = await userWithTotp();
    const unknown = randomUUID();
    t.clock.advanceSeconds(1);
    const outcome = await t.core.admin.resetMany(admin, [first.userId, unknown, second.userId]);
    expect(outcome.reset).toEqual([
      { userId: first.userId, removed: ['totp'] },
      { userId: second.userId, removed: ['totp'] },
    ]);
    expect(outcome.failed).toEqual([{ userId: unknown, code: 'USER_NOT_FOUND', message: expect.any(String) }]);
    expect((await t.core.factors.status(first)).methods).toEqual([]);
    const history = await t.core.history.listOwn(second, {});
    expect(history.items[0]).toMatchObject({ action: 'reset', actor: 'admin', actorId: admin.userId });
  });

  it('refuses a reset by someone who is not an admin', async () => {
    const user = await userWithTotp();
    const other = await t.newUser();
    await expect(t.core.admin.resetMany(other, [user.userId])).rejects.toBeInstanceOf(TesseraError);
    expect((await t.core.factors.status(user)).methods).toEqual(['totp']);
  });

  it('lists every account to an admin, and only their own to anyone else', async () => {
    const admin = await t.newUser({ role: 'admin' });
    const user = await userWithTotp();
    const all = await t.core.admin.listControlledTopLevel(admin, null, 1000);
    expect(all.map((u) => u.username)).toEqual(expect.arrayContaining([admin.username, user.username]));
    const own = await t.core.admin.listControlledTopLevel(user, null, 1000);
    expect(own).toEqual([expect.objectContaining({ id: user.userId, methods: ['totp'] })]);
    expect(await t.core.admin.listControlledTopLevel(user, user.username, 1000)).toEqual([]);
  });

  it("finds an account by username for an admin; anyone else's is FORBIDDEN whether or not it exists", async () => {
    const admin = await t.newUser({ role: 'admin' });
    const user = await userWithTotp();
    const other = await t.newUser();
    expect(await t.core.admin.controlledAccount(admin, user.username)).toMatchObject({ twoFactorEnabled: true });
    await expect(t.core.admin.controlledAccount(admin, 'nobody-here')).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
    expect(await t.core.admin.controlledAccount(user, user.username)).toMatchObject({ id: user.userId });
    for (const name of [other.username, 'nobody-here']) {
      await expect(t.core.admin.controlledAccount(user, name)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
  });

  it('imports over an active authenticator only when asked to replace it', async () => {
    const admin = await t.newUser({ role: 'admin' });
    const user = await userWithTotp();
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await expect(t.core.admin.importTotp(admin, user.userId, { secret })).rejects.toMatchObject({
      code: 'FACTOR_ALREADY_ACTIVE',
    });
    await t.core.admin.importTotp(admin, user.userId, { secret, replace: true });
    expect((await t.core.admin.exportTotp(admin, user.userId)).secret).toBe(secret);
    expect((await t.core.factors.status(user)).methods).toEqual(['totp']);
  });
});
