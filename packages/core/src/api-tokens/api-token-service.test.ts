import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoreUnderTest, coreUnderTest } from '../test-support/core-under-test.js';

describe('ApiTokenService', () => {
  let t: CoreUnderTest;
  beforeAll(async () => {
    t = await coreUnderTest();
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a token that asks to create another token, and creates nothing', async () => {
    const user = await t.newUser();
    const { token } = await t.core.apiTokens.create(user, { name: 'deploy' });
    const asToken = await t.core.apiTokens.authenticate(token, '192.0.2.10');
    await expect(t.core.apiTokens.create(asToken, { name: 'more' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await t.core.apiTokens.list(user)).map((view) => view.name)).toEqual(['deploy']);
    // The token may still revoke (itself included): giving up access is not minting it.
    const [deploy] = await t.core.apiTokens.list(user);
    await t.core.apiTokens.revoke(asToken, deploy?.id ?? '');
  });
});
