import { describe, expect, it } from 'vitest';
import { eventOfChange } from './change-events.js';

const self = { actor: 'self' as const, actorId: 'u1', clientIp: '192.0.2.1' };
const admin = { actor: 'admin' as const, actorId: 'a1', clientIp: null };

describe('the webhook event of a history change', () => {
  it('names the change as receivers filter on it, and never carries who or where beyond the actor', () => {
    expect(eventOfChange({ userId: 'u1', methods: ['totp'], action: 'enable', enabled: true }, self)).toEqual({
      type: 'factor.added',
      userId: 'u1',
      data: { method: 'totp', actor: 'self', stillEnabled: true },
    });
    expect(eventOfChange({ userId: 'u1', methods: ['sms'], action: 'disable', enabled: false }, admin)).toEqual({
      type: 'factor.removed',
      userId: 'u1',
      data: { method: 'sms', actor: 'admin', stillEnabled: false },
    });
    expect(
      eventOfChange({ userId: 'u1', methods: ['totp', 'backup_codes'], action: 'reset', enabled: false }, admin),
    ).toEqual({ type: 'admin.reset', userId: 'u1', data: { methods: ['backup_codes', 'totp'], actor: 'admin' } });
    expect(eventOfChange({ userId: 'u1', methods: ['totp'], action: 'import', enabled: true }, admin)?.type).toBe(
      'factor.added',
    );
    expect(
      eventOfChange({ userId: 'u1', methods: ['second_factor'], action: 'unlock', enabled: true }, admin)?.type,
    ).toBe('user.unlocked');
    expect(
      eventOfChange({ userId: 'u1', methods: ['backup_codes'], action: 'regenerate', enabled: true }, self)?.type,
    ).toBe('backup_codes.regenerated');
  });

  it('sends nothing for a TOTP key export (an admin reading a key is not a change of factors)', () => {
    expect(eventOfChange({ userId: 'u1', methods: ['totp'], action: 'export', enabled: true }, admin)).toBeUndefined();
  });
});
