import { describe, expect, it } from 'vitest';
import { planAction, type AnchorView, type DesiredTarget, type ManagedValues, type MatchResult, type PlanInput } from './plan';

/** A diff that replaces every changed path: enough to drive the planner's decisions. */
function diff(previous: ManagedValues, desired: ManagedValues) {
  const changes = Object.keys(desired)
    .filter((key) => previous[key] !== desired[key])
    .map((key) => ({ name: key, old: previous[key] ?? null, new: desired[key] }));
  return { operations: changes.map((c) => ({ op: 'replace' as const, path: c.name, value: c.new })), changes };
}

const values = { userName: 'ada@example.com', displayName: 'Ada', active: true };
const desired: DesiredTarget = { resource: { schemas: [], ...values }, values, active: true };
const disabledDesired: DesiredTarget = {
  resource: { schemas: [], ...values, active: false },
  values: { ...values, active: false },
  active: false,
};
const anchor: AnchorView = { targetId: 't1', lastExported: values, state: 'active' };
const deprovisioning = { softDeleted: 'disable', hardDeleted: 'delete', outOfScope: 'disable' } as const;

function input(overrides: Partial<PlanInput>): PlanInput {
  return { source: { id: 's1', type: 'user', attributes: {} }, inScope: true, desired, deprovisioning, diff, ...overrides };
}

const one: MatchResult = { kind: 'one', targetId: 't9', path: 'userName', values: { ...values, displayName: 'Old' } };

describe('planAction', () => {
  it.each<[string, Partial<PlanInput>, Record<string, unknown>]>([
    ['creates when nothing matches', { match: { kind: 'none' } }, { kind: 'create' }],
    ['creates when matching was not needed', {}, { kind: 'create' }],
    ['links and updates a matched account', { match: one }, { kind: 'update', targetId: 't9', link: true }],
    ['links a matched account that needs no change', { match: { ...one, values } }, { kind: 'update', link: true, operations: [] }],
    [
      'fails on two or more matches',
      { match: { kind: 'many', path: 'userName', count: 2 } },
      { kind: 'fail', code: 'DuplicateTargetEntries' },
    ],
    ['skips an anchored object with nothing changed', { anchor }, { kind: 'skip', reason: 'RedundantExport', targetId: 't1' }],
    [
      'updates only what changed',
      { anchor: { ...anchor, lastExported: { ...values, displayName: 'Old' } } },
      { kind: 'update', link: false, disables: false, changes: [{ name: 'displayName', old: 'Old', new: 'Ada' }] },
    ],
    ['disables through an update when the source is disabled', { anchor, desired: disabledDesired }, { kind: 'update', disables: true }],
    [
      'skips creating an account for a disabled source',
      { desired: disabledDesired, match: { kind: 'none' } },
      { kind: 'skip', reason: 'SourceDisabled' },
    ],
    [
      're-enables a disabled anchor back in scope',
      { anchor: { ...anchor, state: 'disabled', lastExported: { ...values, active: false } } },
      { kind: 'update', disables: false, changes: [{ name: 'active', old: false, new: true }] },
    ],
    ['treats a deleted anchor as absent', { anchor: { ...anchor, state: 'deleted' }, match: { kind: 'none' } }, { kind: 'create' }],
    ['disables an anchored object that left scope', { anchor, inScope: false }, { kind: 'disable', targetId: 't1' }],
    ['skips an unanchored object out of scope', { inScope: false }, { kind: 'skip', reason: 'NotProvisioned' }],
    [
      'leaves an already disabled account alone',
      { anchor: { ...anchor, state: 'disabled' }, inScope: false },
      { kind: 'skip', reason: 'AlreadyDeprovisioned' },
    ],
    [
      'ignores out-of-scope when configured',
      { anchor, inScope: false, deprovisioning: { ...deprovisioning, outOfScope: 'ignore' } },
      { kind: 'skip', reason: 'DeprovisioningIgnored' },
    ],
    [
      'deletes out-of-scope when configured',
      { anchor, inScope: false, deprovisioning: { ...deprovisioning, outOfScope: 'delete' } },
      { kind: 'delete', targetId: 't1' },
    ],
    [
      'disables a soft-deleted source',
      { anchor, source: { id: 's1', type: 'user', attributes: {}, removed: 'changed' } },
      { kind: 'disable' },
    ],
    [
      'deletes a hard-deleted source',
      { anchor, source: { id: 's1', type: 'user', attributes: {}, removed: 'deleted' } },
      { kind: 'delete' },
    ],
    [
      'disables a hard-deleted source when set to disable',
      {
        anchor,
        source: { id: 's1', type: 'user', attributes: {}, removed: 'deleted' },
        deprovisioning: { ...deprovisioning, hardDeleted: 'disable' },
      },
      { kind: 'disable' },
    ],
    [
      'skips a removed source never provisioned',
      { source: { id: 's1', type: 'user', attributes: {}, removed: 'deleted' } },
      { kind: 'skip', reason: 'NotProvisioned' },
    ],
    [
      'deprovisions a removed source found by matching',
      { match: one, source: { id: 's1', type: 'user', attributes: {}, removed: 'changed' } },
      { kind: 'disable', targetId: 't9' },
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(planAction(input(overrides))).toMatchObject(expected);
  });
});
