import { describe, expect, it } from 'vitest';
import { aFlow, at } from '../record-factories.js';
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

    it('deletes a flow once', async () => {
      const user = await ctx.createdUser();
      const flow = aFlow(user.id);
      const other = aFlow(user.id);
      await ctx.storage.flows.insert(flow);
      await ctx.storage.flows.insert(other);
      expect(await ctx.storage.flows.delete(flow.id)).toBe(true);
      expect(await ctx.storage.flows.findById(flow.id)).toBeUndefined();
      expect(await ctx.storage.flows.delete(flow.id)).toBe(false);
      expect(await ctx.storage.flows.findById(other.id)).toEqual(other);
    });

    it("expires a user's unexpired flows, moving their version on, and no one else's", async () => {
      const user = await ctx.createdUser();
      const other = await ctx.createdUser();
      const open = aFlow(user.id, { expiresAt: at(60_000) });
      const old = aFlow(user.id, { expiresAt: at(1_000) });
      const theirs = aFlow(other.id, { expiresAt: at(60_000) });
      for (const flow of [open, old, theirs]) await ctx.storage.flows.insert(flow);
      expect(await ctx.storage.flows.expireAllForUser(user.id, at(2_000))).toBe(1);
      expect(await ctx.storage.flows.findById(open.id)).toEqual({ ...open, expiresAt: at(2_000), version: 2 });
      expect(await ctx.storage.flows.findById(old.id)).toEqual(old);
      expect(await ctx.storage.flows.findById(theirs.id)).toEqual(theirs);
      // A request that read the flow before loses its move.
      expect(await ctx.storage.flows.updateIfVersion(open.id, 1, { state: 'passed', data: '{}', attempts: 0 })).toBe(
        false,
      );
    });
  });
}
