import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStorage, type TestStorage } from '../../../storage-kysely/src/test-support/index.js';
import { SYSTEM_ACTOR } from '../auth/actor.js';
import { type Core, createCore } from '../create-core.js';
import { DEFAULT_DELIVERED_CODE_POLICY } from '../delivery/delivered-code-service.js';
import { DEFAULT_LOCKOUT_POLICY } from '../lockout/lockout-policy.js';
import { DEFAULT_BACKUP_CODE_POLICY } from '../methods/backup-codes/backup-code-service.js';
import { cheapPasswordHasher, RecordingDelivery } from '../test-support/core-under-test.js';

describe('account phone numbers at rest', () => {
  let storage: TestStorage;
  const secretKey = new Uint8Array(randomBytes(32));
  const open = (): Promise<Core> =>
    createCore({
      storage,
      secretKey,
      config: {
        issuer: 'Tessera Test',
        lockout: DEFAULT_LOCKOUT_POLICY,
        deliveredCodes: DEFAULT_DELIVERED_CODE_POLICY,
        backupCodes: DEFAULT_BACKUP_CODE_POLICY,
      },
      delivery: new RecordingDelivery(),
      passwordHasher: cheapPasswordHasher(),
    });
  beforeAll(async () => {
    storage = await openTestStorage();
  });
  afterAll(async () => {
    await storage.dispose();
  });

  const newAccount = (core: Core, phone?: string) =>
    core.accounts.create(SYSTEM_ACTOR, {
      username: `user${randomBytes(4).toString('hex')}`,
      password: 'correct horse battery',
      ...(phone === undefined ? {} : { phone }),
    });

  it('are stored sealed and read back in clear', async () => {
    const core = await open();
    const user = await newAccount(core, '+359888765432');
    const stored = await storage.users.findById(user.id);
    expect(stored?.phone).toMatch(/^v1\./);
    expect(stored?.phone).not.toContain('765432');
    expect((await core.accounts.get(user.id)).phone).toBe('+359888765432');
    const none = await newAccount(core);
    expect((await storage.users.findById(none.id))?.phone).toBeNull();
  });

  it('a number stored in clear before is read as it is, and sealed at the next start', async () => {
    const core = await open();
    const user = await newAccount(core);
    await storage.users.updatePhone(user.id, '+447700900123');
    expect((await core.accounts.get(user.id)).phone).toBe('+447700900123');
    expect(await storage.users.listUnsealedPhones('v1.', 100)).toEqual([{ id: user.id, phone: '+447700900123' }]);

    const restarted = await open();
    expect(await storage.users.listUnsealedPhones('v1.', 100)).toEqual([]);
    expect((await storage.users.findById(user.id))?.phone).toMatch(/^v1\./);
    expect((await restarted.accounts.get(user.id)).phone).toBe('+447700900123');
  });
});
