import { describe, expect, it } from 'vitest';
import { TesseraError } from '../errors/tessera-error.js';
import { errorCode } from '../test-support/error-code.js';
import { type Actor, anonymousActor, SYSTEM_ACTOR, type UserActor } from './actor.js';
import { Authorizer } from './authorizer.js';

function user(overrides: Partial<UserActor> = {}): UserActor {
  return {
    kind: 'user',
    userId: 'u1',
    role: 'user',
    authentication: { method: 'session', sessionId: 's1' },
    clientIp: '203.0.113.7',
    ...overrides,
  };
}

const readOnlyToken = user({ authentication: { method: 'api_token', tokenId: 't1', scope: 'read' } });
const fullToken = user({ authentication: { method: 'api_token', tokenId: 't1', scope: 'write' } });
const admin = user({ userId: 'a1', role: 'admin' });

/** An authorizer whose policy holds every person it is asked about (or nobody). */
function authorizer(policyHolds: boolean): { authz: Authorizer; asked: string[] } {
  const asked: string[] = [];
  const authz = new Authorizer({
    assertSatisfiedBy: async (userId) => {
      asked.push(userId);
      if (policyHolds) throw new TesseraError('TWO_FACTOR_REQUIRED');
    },
  });
  return { authz, asked };
}

describe('Authorizer', () => {
  it('gives a signed-in user their own id for operations on their own account', async () => {
    const { authz } = authorizer(false);
    expect(await authz.own(user(), 'own.manage')).toBe('u1');
  });

  it('refuses someone not signed in, and the command line where a user account is needed', async () => {
    const { authz } = authorizer(false);
    expect(await errorCode(authz.own(anonymousActor('198.51.100.1'), 'own.read'))).toBe('UNAUTHENTICATED');
    expect(await errorCode(authz.own(SYSTEM_ACTOR, 'own.read'))).toBe('FORBIDDEN');
  });

  it('lets only admins and the operator do admin operations', async () => {
    const { authz } = authorizer(false);
    expect(await errorCode(authz.admin(user(), 'admin.read'))).toBe('FORBIDDEN');
    expect(await errorCode(authz.admin(fullToken, 'admin.manage'))).toBe('FORBIDDEN');
    expect(await errorCode(authz.admin(anonymousActor(null), 'admin.read'))).toBe('UNAUTHENTICATED');
    expect(await authz.admin(admin, 'admin.manage')).toBe(admin);
    expect(await authz.admin(SYSTEM_ACTOR, 'admin.manage')).toBe(SYSTEM_ACTOR);
  });

  it('lets a read-only API token read but change nothing', async () => {
    const { authz } = authorizer(false);
    expect(await authz.own(readOnlyToken, 'own.read')).toBe('u1');
    expect(await authz.own(readOnlyToken, 'own.read_status')).toBe('u1');
    for (const operation of ['own.manage', 'own.enroll', 'own.verify'] as const) {
      expect(await errorCode(authz.own(readOnlyToken, operation))).toBe('FORBIDDEN');
    }
    const readOnlyAdmin: Actor = { ...readOnlyToken, role: 'admin' };
    expect(await authz.admin(readOnlyAdmin, 'admin.read')).toBe(readOnlyAdmin);
    expect(await errorCode(authz.admin(readOnlyAdmin, 'admin.manage'))).toBe('FORBIDDEN');
    expect(await errorCode(authz.admin(readOnlyAdmin, 'admin.verify'))).toBe('FORBIDDEN');
  });

  it('holds a person signed in to the 2FA policy for everything but enrollment', async () => {
    const { authz, asked } = authorizer(true);
    expect(await errorCode(authz.own(user(), 'own.manage'))).toBe('TWO_FACTOR_REQUIRED');
    expect(await errorCode(authz.own(user(), 'own.read'))).toBe('TWO_FACTOR_REQUIRED');
    expect(await errorCode(authz.admin(admin, 'admin.read'))).toBe('TWO_FACTOR_REQUIRED');
    const password = user({ authentication: { method: 'password' } });
    expect(await errorCode(authz.own(password, 'own.manage'))).toBe('TWO_FACTOR_REQUIRED');
    asked.length = 0;
    expect(await authz.own(user(), 'own.enroll')).toBe('u1');
    expect(await authz.own(user(), 'own.read_status')).toBe('u1');
    expect(asked).toEqual([]);
  });

  it('does not hold machine credentials to the policy meant for people', async () => {
    const { authz, asked } = authorizer(true);
    expect(await authz.own(fullToken, 'own.manage')).toBe('u1');
    expect(await authz.admin({ ...fullToken, role: 'admin' }, 'admin.verify')).toMatchObject({ userId: 'u1' });
    expect(asked).toEqual([]);
  });

  it('lets only a person create API tokens: a token cannot mint tokens, whatever its scope', async () => {
    const { authz } = authorizer(false);
    expect(await authz.own(user(), 'own.create_api_token')).toBe('u1');
    expect(await authz.own(user({ authentication: { method: 'password' } }), 'own.create_api_token')).toBe('u1');
    expect(await errorCode(authz.own(fullToken, 'own.create_api_token'))).toBe('FORBIDDEN');
    expect(await errorCode(authz.own(readOnlyToken, 'own.create_api_token'))).toBe('FORBIDDEN');
    expect(await errorCode(authz.own({ ...fullToken, role: 'admin' }, 'own.create_api_token'))).toBe('FORBIDDEN');
  });
});
