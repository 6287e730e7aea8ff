import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoreUnderTest, coreUnderTest } from '../test-support/core-under-test.js';
import { API_TOKEN_CACHE_MS } from './api-token-service.js';

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

  it('sees a revocation made elsewhere within API_TOKEN_CACHE_MS, and one made here at once', async () => {
    const user = await t.newUser();
    const { token: elsewhere } = await t.core.apiTokens.create(user, { name: 'elsewhere' });
    const { token: here } = await t.core.apiTokens.create(user, { name: 'here' });
    await t.core.apiTokens.authenticate(elsewhere, null);
    const hereActor = await t.core.apiTokens.authenticate(here, null);

    // Another process revokes: straight in the database, which this process does not hear of.
    const [stored] = (await t.storage.apiTokens.listByUser(user.userId)).filter((r) => r.name === 'elsewhere');
    expect(await t.storage.apiTokens.revoke(stored?.id ?? '', user.userId, t.clock.now())).toBe(true);
    t.clock.advanceSeconds(API_TOKEN_CACHE_MS / 1000 - 1);
    await expect(t.core.apiTokens.authenticate(elsewhere, null)).resolves.toMatchObject({ userId: user.userId });
    t.clock.advanceSeconds(1);
    await expect(t.core.apiTokens.authenticate(elsewhere, null)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });

    // Revoked through this process: refused on the very next request.
    await t.core.apiTokens.authenticate(here, null);
    const hereId = hereActor.authentication.method === 'api_token' ? hereActor.authentication.tokenId : '';
    await t.core.apiTokens.revoke(user, hereId);
    await expect(t.core.apiTokens.authenticate(here, null)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });
});
