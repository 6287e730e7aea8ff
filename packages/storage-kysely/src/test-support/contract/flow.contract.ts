import { describe, expect, it } from 'vitest';
import { aFlow } from '../record-factories.js';
import type { ContractContext } from './context.js';

/** Flows and their versioned updates. */
export function describeFlowContract(ctx: ContractContext): void {
  describe('flows', () => {
    it('stores a flow and reads it back exactly', async () => {
      const user = await ctx.createdUser();
      const flow = aFlow(user.id, { data: '{"next":"totp"}', attempts: 2, version: 3 });
      await ctx.storage.flows.insert(flow);
      expect(await ctx.storage.flows.findById(flow.id)).toEqual(flow);
      expect(await ctx.storage.flows.findById('not a uuid')).toBeUndefined();
    });

    it('updates a flow once per version', async () => {
      const user = await ctx.createdUser();
      const flow = aFlow(user.id);
      await ctx.storage.flows.insert(flow);
      const next = { state: 'failed', data: '{"why":"x"}', attempts: 1 };
      expect(await ctx.storage.flows.updateIfVersion(flow.id, 1, next)).toBe(true);
      expect(await ctx.storage.flows.updateIfVersion(flow.id, 1, { ...next, state: 'done' })).toBe(false);
      expect(await ctx.storage.flows.findById(flow.id)).toEqual({ ...flow, ...next, version: 2 });
      expect(await ctx.storage.flows.updateIfVersion(flow.id, 2, { ...next, state: 'done' })).toBe(true);
      expect((await ctx.storage.flows.findById(flow.id))?.version).toBe(3);
      expect(await ctx.storage.flows.updateIfVersion('nobody', 1, next)).toBe(false);
    });
  });
}
