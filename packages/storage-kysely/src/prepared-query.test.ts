import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { preparedQuery } from './prepared-query.js';
import { aUser } from './test-support/record-factories.js';
import { openTestStorage, type TestStorage } from './test-support/test-storage.js';

describe('preparedQuery', () => {
  let storage: TestStorage;
  beforeEach(async () => {
    storage = await openTestStorage();
  });
  afterEach(async () => storage.dispose());

  it('runs one compiled query with new values each time, constants kept in place', async () => {
    const alice = aUser({ username: 'alice', role: 'admin' });
    const bob = aUser({ username: 'bob', role: 'user' });
    await storage.users.create(alice);
    await storage.users.create(bob);
    const byNameAndRole = preparedQuery<{ id: string }, 'username'>(storage.db, (value) =>
      storage.db.selectFrom('users').select('id').where('username', '=', value('username')).where('role', '=', 'admin'),
    );
    expect((await byNameAndRole({ username: 'alice' })).rows).toEqual([{ id: alice.id }]);
    expect((await byNameAndRole({ username: 'bob' })).rows).toEqual([]);
  });

  it('refuses to run without every value', async () => {
    const byName = preparedQuery<{ id: string }, 'username'>(storage.db, (value) =>
      storage.db.selectFrom('users').select('id').where('username', '=', value('username')),
    );
    expect(() => byName({} as { username: string })).toThrow(/missing the value "username"/);
  });

  it('reports affected rows of an update', async () => {
    const user = aUser();
    await storage.users.create(user);
    const rename = preparedQuery<never, 'id' | 'issuer'>(storage.db, (value) =>
      storage.db
        .updateTable('users')
        .set({ issuer: value('issuer') })
        .where('id', '=', value('id')),
    );
    expect((await rename({ id: user.id, issuer: 'Acme' })).numAffectedRows).toBe(1n);
    expect((await storage.users.findById(user.id))?.issuer).toBe('Acme');
  });
});
