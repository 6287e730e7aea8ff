import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../auth/actor.js';
import { type CoreUnderTest, coreUnderTest } from '../test-support/core-under-test.js';

describe('IssuerSettings.readOwn', () => {
  let t: CoreUnderTest;
  beforeAll(async () => {
    t = await coreUnderTest();
  });
  afterAll(async () => {
    await t.close();
  });

  it("gives the caller their override, the issuer in effect for them and the system's", async () => {
    const user = await t.newUser();
    const system = await t.core.issuers.systemIssuer();
    expect(await t.core.issuers.readOwn(user)).toEqual({ issuer: null, effectiveIssuer: system, systemIssuer: system });
    await t.core.issuers.setOwn(user, 'My Host');
    expect(await t.core.issuers.readOwn(user)).toEqual({
      issuer: 'My Host',
      effectiveIssuer: 'My Host',
      systemIssuer: system,
    });
  });

  it('needs a user account', async () => {
    await expect(t.core.issuers.readOwn(SYSTEM_ACTOR)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
