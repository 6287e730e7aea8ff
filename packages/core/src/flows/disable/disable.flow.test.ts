import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeProof } from '../../methods/second-factor-method.js';
import {
  type CoreUnderTest,
  coreUnderTest,
  errorCode,
  TEST_PASSWORD,
  totpCode,
} from '../../test-support/core-under-test.js';

describe('DisableFlow', () => {
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
    const secret = started.totp?.secret ?? '';
    await t.core.enable.confirm(user, started.flowId, codeProof(totpCode(secret, t.clock.now())));
    t.clock.advanceSeconds(30);
    return { user, secret };
  }

  it('finishes a flow stored under the former state name awaiting_confirmation, and shows it as awaiting_code', async () => {
    const { user, secret } = await userWithTotp();
    const started = await t.core.disable.start(user, 'totp');
    expect(started.state).toBe('awaiting_code');
    // As a server before the rename wrote it.
    const stored = await t.storage.flows.findById(started.flowId);
    if (!stored) throw new Error('the flow was not stored');
    await t.storage.flows.updateIfVersion(stored.id, stored.version, { ...stored, state: 'awaiting_confirmation' });
    expect((await t.storage.flows.findById(started.flowId))?.state).toBe('awaiting_confirmation');

    const done = await t.core.disable.confirm(user, started.flowId, {
      proof: codeProof(totpCode(secret, t.clock.now())),
    });
    expect(done).toMatchObject({ state: 'disabled', method: 'totp' });
  });

  it('turns a method off in one call with the password and a current code', async () => {
    const { user, secret } = await userWithTotp();
    const done = await t.core.disable.disableNow(user, {
      method: 'totp',
      password: TEST_PASSWORD,
      proof: { proof: codeProof(totpCode(secret, t.clock.now())) },
    });
    expect(done).toMatchObject({ state: 'disabled', method: 'totp' });
    expect((await t.core.factors.status(user)).methods).toEqual([]);
    const history = await t.core.history.listOwn(user, {});
    expect(history.items.map((entry) => `${entry.action}:${entry.actor}`)).toEqual(['disable:self', 'enable:self']);
  });

  it('keeps the method when the password is wrong, before the code is even tried', async () => {
    const { user, secret } = await userWithTotp();
    const code = totpCode(secret, t.clock.now());
    const refused = t.core.disable.disableNow(user, {
      method: 'totp',
      password: 'not the password',
      proof: { proof: codeProof(code) },
    });
    expect(await errorCode(refused)).toBe('INVALID_CREDENTIALS');
    expect((await t.core.factors.status(user)).methods).toEqual(['totp']);
    // The code was not spent by the refused call.
    expect((await t.core.factors.verify(user, code)).ok).toBe(true);
  });

  it('counts wrong codes of a one-shot disable against the account lockout', async () => {
    const { user, secret } = await userWithTotp();
    const wrong = String((Number(totpCode(secret, t.clock.now())) + 7) % 1_000_000).padStart(6, '0');
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push(
        await errorCode(t.core.disable.disableNow(user, { method: 'totp', proof: { proof: codeProof(wrong) } })),
      );
    }
    expect(codes.at(-1)).toBe('SECOND_FACTOR_LOCKED');
    expect((await t.core.factors.status(user)).methods).toEqual(['totp']);
  });

  it('needs a procedure (or a success token) for methods whose codes are sent', async () => {
    const user = await t.newUser();
    const started = await t.core.enable.start(user, { method: 'email' });
    const code = t.delivery.lastCodeTo(`${user.username}@example.test`);
    await t.core.enable.confirm(user, started.flowId, codeProof(code));
    const refused = t.core.disable.disableNow(user, { method: 'email', proof: { proof: codeProof('123456') } });
    expect(await errorCode(refused)).toBe('METHOD_REQUIRED');
    expect((await t.core.factors.status(user)).methods).toEqual(['email']);
  });

  it('removes a pending factor by id at once, and an active one only with its code', async () => {
    const user = await t.newUser();
    const pending = await t.core.enable.start(user, { method: 'totp' });
    await t.core.disable.removeFactor(user, pending.factorId, undefined);
    expect(await t.core.factors.list(user)).toEqual([]);

    const { user: owner, secret } = await userWithTotp();
    const [active] = await t.core.factors.list(owner);
    expect(await errorCode(t.core.disable.removeFactor(owner, active?.id ?? '', undefined))).toBe('VALIDATION_FAILED');
    expect(await errorCode(t.core.disable.removeFactor(user, active?.id ?? '', totpCode(secret, t.clock.now())))).toBe(
      'FACTOR_NOT_FOUND',
    );
    await t.core.disable.removeFactor(owner, active?.id ?? '', totpCode(secret, t.clock.now()));
    expect(await t.core.factors.list(owner)).toEqual([]);
  });
});
