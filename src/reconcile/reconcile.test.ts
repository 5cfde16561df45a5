import { describe, expect, it } from 'vitest';
import { ProvisioningError } from '../errors/index';
import { DEFAULT_USER_MAPPINGS } from '../mapping/index';
import { SCHEMA_USER, type PatchOperation, type ScimResource } from '../scim/types';
import type { SourceObject } from '../source/index';
import { createMappingPort } from './mapping-port';
import type { AnchorView } from './plan';
import { reconcileObject, type ReconcileContext } from './reconcile';

/** A target that applies PATCHes, and can lose the answer of one after applying it. */
function fakeTarget(user: ScimResource) {
  const state = { user, loseNextAnswer: false, patches: [] as PatchOperation[][] };
  return {
    state,
    endpoint: 'Users' as const,
    find: async () => [state.user],
    create: async (r: ScimResource) => r,
    delete: async () => {},
    get: async () => structuredClone(state.user),
    patch: async (_id: string, operations: PatchOperation[]) => {
      state.patches.push(operations);
      for (const op of operations) {
        // Like a target where add is not idempotent: every add appends.
        if (op.op === 'add' && op.path === 'emails')
          state.user.emails = [...((state.user.emails as unknown[]) ?? []), ...(op.value as unknown[])];
        if (op.op === 'replace' && op.path) state.user[op.path] = op.value;
      }
      if (state.loseNextAnswer) {
        state.loseNextAnswer = false;
        throw new ProvisioningError({ kind: 'transient', code: 'NetworkError', message: 'the connection closed before an answer' });
      }
      return undefined;
    },
  };
}

describe('reconcileObject after a write whose answer was lost', () => {
  it('compares with what the target holds, so a retry does not add a value twice', async () => {
    const target = fakeTarget({ schemas: [SCHEMA_USER], id: 't1', userName: 'ada@contoso.test', displayName: 'Ada', active: true });
    let anchor: AnchorView = {
      targetId: 't1',
      lastExported: { userName: 'ada@contoso.test', displayName: 'Ada', active: true },
      state: 'active',
    };
    const ctx: ReconcileContext = {
      objectType: 'user',
      target,
      mapping: createMappingPort(DEFAULT_USER_MAPPINGS, { now: () => new Date(0), random: () => 0.5 }),
      deprovisioning: { softDeleted: 'disable', hardDeleted: 'delete', outOfScope: 'disable' },
      anchors: { get: async (sourceId) => ({ sourceId, ...anchor }), save: async (_id, next) => void (anchor = next) },
    };
    const source: SourceObject = {
      id: 's1',
      type: 'user',
      attributes: { userPrincipalName: 'ada@contoso.test', displayName: 'Ada', mail: 'ada@contoso.test', accountEnabled: true },
    };

    target.state.loseNextAnswer = true;
    const first = await reconcileObject(ctx, source, { inScope: true, detail: 'all users' });
    expect(first).toMatchObject({ status: 'Failure', error: { code: 'NetworkError' } });
    expect(anchor.lastExported['emails[type eq "work"].value']).toBe('ada@contoso.test');

    const second = await reconcileObject(ctx, source, { inScope: true, detail: 'all users' });
    expect(second).toMatchObject({ status: 'Skipped', action: 'Other' });
    expect(target.state.patches).toHaveLength(1);
    expect(target.state.user.emails).toHaveLength(1);
  });
});

describe('reconcileObject with an admission check', () => {
  it('neither re-enables nor creates an account the check refuses, and updates it otherwise', async () => {
    const target = fakeTarget({ schemas: [SCHEMA_USER], id: 't1', userName: 'ada@contoso.test', displayName: 'Ada', active: false });
    let anchor: AnchorView | undefined = {
      targetId: 't1',
      lastExported: { userName: 'ada@contoso.test', displayName: 'Ada', active: false },
      state: 'disabled',
    };
    let refusal: string | undefined = 'the person has left';
    const ctx: ReconcileContext = {
      objectType: 'user',
      target,
      mapping: createMappingPort(DEFAULT_USER_MAPPINGS, { now: () => new Date(0), random: () => 0.5 }),
      deprovisioning: { softDeleted: 'disable', hardDeleted: 'delete', outOfScope: 'disable' },
      anchors: { get: async (sourceId) => anchor && { sourceId, ...anchor }, save: async (_id, next) => void (anchor = next) },
      admit: async () => refusal,
    };
    const source: SourceObject = {
      id: 's1',
      type: 'user',
      attributes: { userPrincipalName: 'ada@contoso.test', displayName: 'Ada', accountEnabled: true },
    };

    expect(await reconcileObject(ctx, source, { inScope: true, detail: 'all users' })).toMatchObject({
      status: 'Skipped',
      reason: expect.stringContaining('the person has left'),
    });
    expect(target.state.patches).toHaveLength(0);
    anchor = undefined;
    expect(await reconcileObject(ctx, source, { inScope: true, detail: 'all users' })).toMatchObject({
      status: 'Skipped',
      action: 'Other',
    });

    refusal = undefined;
    anchor = { targetId: 't1', lastExported: { userName: 'ada@contoso.test', displayName: 'Ada', active: false }, state: 'disabled' };
    expect(await reconcileObject(ctx, source, { inScope: true, detail: 'all users' })).toMatchObject({
      status: 'Success',
      action: 'Update',
    });
    expect(target.state.user.active).toBe(true);
  });
});
