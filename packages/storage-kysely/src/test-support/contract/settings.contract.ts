import { describe, expect, it } from 'vitest';
import type { ContractContext } from './context.js';

/** Settings. */
export function describeSettingsContract(ctx: ContractContext): void {
  describe('settings', () => {
    it('setIfAbsent keeps the first value', async () => {
      expect(await ctx.storage.settings.get('key-check')).toBeUndefined();
      expect(await ctx.storage.settings.setIfAbsent('key-check', 'first')).toBe('first');
      expect(await ctx.storage.settings.setIfAbsent('key-check', 'second')).toBe('first');
      expect(await ctx.storage.settings.get('key-check')).toBe('first');
    });

    it('set inserts and overwrites', async () => {
      await ctx.storage.settings.set('issuer', 'Acme');
      expect(await ctx.storage.settings.get('issuer')).toBe('Acme');
      await ctx.storage.settings.set('issuer', 'Acme Corp');
      expect(await ctx.storage.settings.get('issuer')).toBe('Acme Corp');
      expect(await ctx.storage.settings.setIfAbsent('issuer', 'Other')).toBe('Acme Corp');
    });
  });
}
