/**
 * The one reconcile planner: given what the source says, whether the object is in scope, what
 * we last exported (the anchor) or what a matched target account holds, decide the single
 * action to take. Pure: no I/O, no clock. Used by sync cycles, on-demand and lifecycle runs.
 */
import type { DeprovisionAction } from '../config/app';
import type { PatchOperation, ScimResource } from '../scim/types';
import type { SourceObject } from '../source/index';

/** Managed target values by formatted SCIM path; `null` means "clear this attribute". */
export type ManagedValues = Record<string, unknown>;

export interface AnchorView {
  targetId: string;
  /** What scimflow last wrote to the target for the managed paths. */
  lastExported: ManagedValues;
  state: 'active' | 'disabled' | 'deleted';
}

export interface DesiredTarget {
  /** The full resource to POST on create. */
  resource: ScimResource;
  /** Managed values for comparison on update (create-only mappings left out). */
  values: ManagedValues;
  /** Whether the mapped account should be active (from accountEnabled → active). */
  active: boolean;
  /** Paths a SelectUniqueValue mapping fills on create: candidates in order; the first the target does not hold wins. */
  unique?: Record<string, string[]>;
  /** Paths whose values the provisioning log shows as "[Redact]". */
  redacted?: string[];
  /** Values written on update only where the target holds none (Entra's "None" mappings with a default). */
  defaults?: Record<string, unknown>;
}

/** The outcome of matching an unanchored source object against the target. */
export type MatchResult =
  { kind: 'none' } | { kind: 'one'; targetId: string; values: ManagedValues; path: string } | { kind: 'many'; path: string; count: number };

export interface PlanInput {
  source: SourceObject;
  inScope: boolean;
  /** Mapped target values; absent when the source object is removed or out of scope. */
  desired?: DesiredTarget;
  anchor?: AnchorView;
  /** Only consulted when there is no live anchor. */
  match?: MatchResult;
  deprovisioning: { softDeleted: DeprovisionAction; hardDeleted: DeprovisionAction; outOfScope: DeprovisionAction };
  /** Computes the PATCH operations between two sets of managed values. */
  diff: (previous: ManagedValues, desired: ManagedValues) => { operations: PatchOperation[]; changes: ModifiedProperty[] };
}

export interface ModifiedProperty {
  name: string;
  old: unknown;
  new: unknown;
}

/** Why an object is skipped; the names appear in the provisioning log. */
export type SkipReason =
  'RedundantExport' | 'NotInScope' | 'NotProvisioned' | 'SourceDisabled' | 'AlreadyDeprovisioned' | 'DeprovisioningIgnored';

export type Action =
  | { kind: 'create'; resource: ScimResource; values: ManagedValues; reason: string }
  | {
      kind: 'update';
      targetId: string;
      operations: PatchOperation[];
      changes: ModifiedProperty[];
      values: ManagedValues;
      /** The account was found by matching and is linked by this action. */
      link: boolean;
      /** The update turns `active` off: logged and counted as a disable. */
      disables: boolean;
      reason: string;
    }
  | { kind: 'disable'; targetId: string; reason: string }
  | { kind: 'delete'; targetId: string; reason: string }
  | { kind: 'skip'; reason: SkipReason; targetId?: string; detail: string }
  | { kind: 'fail'; code: 'DuplicateTargetEntries'; reason: string };

/** The target id an unanchored or anchored object is known under, if any. */
function knownTarget(input: PlanInput): { targetId: string; state: AnchorView['state'] | 'matched' } | undefined {
  if (input.anchor && input.anchor.state !== 'deleted') return { targetId: input.anchor.targetId, state: input.anchor.state };
  if (input.match?.kind === 'one') return { targetId: input.match.targetId, state: 'matched' };
  return undefined;
}

function deprovision(input: PlanInput, action: DeprovisionAction, why: string): Action {
  const known = knownTarget(input);
  if (!known) return { kind: 'skip', reason: 'NotProvisioned', detail: `${why}; no account in the target` };
  if (action === 'ignore') {
    return {
      kind: 'skip',
      reason: 'DeprovisioningIgnored',
      targetId: known.targetId,
      detail: `${why}; the app leaves such accounts alone`,
    };
  }
  if (action === 'delete') return { kind: 'delete', targetId: known.targetId, reason: why };
  if (known.state === 'disabled') {
    return { kind: 'skip', reason: 'AlreadyDeprovisioned', targetId: known.targetId, detail: `${why}; the account is already disabled` };
  }
  return { kind: 'disable', targetId: known.targetId, reason: why };
}

/** Decides the one action for a source object. */
export function planAction(input: PlanInput): Action {
  const { source } = input;
  if (source.removed === 'deleted')
    return deprovision(input, input.deprovisioning.hardDeleted, 'the source object was permanently deleted');
  if (source.removed === 'changed') return deprovision(input, input.deprovisioning.softDeleted, 'the source object was soft-deleted');
  if (!input.inScope || !input.desired) return deprovision(input, input.deprovisioning.outOfScope, 'the source object is out of scope');

  const desired = input.desired;
  const anchor = input.anchor && input.anchor.state !== 'deleted' ? input.anchor : undefined;
  if (anchor) return update(input, anchor.targetId, anchor.lastExported, desired, false);

  const match = input.match ?? { kind: 'none' };
  if (match.kind === 'many') {
    return {
      kind: 'fail',
      code: 'DuplicateTargetEntries',
      reason: `${match.count} target accounts match on ${match.path}; scimflow will not guess which one to manage`,
    };
  }
  if (match.kind === 'one') return update(input, match.targetId, match.values, desired, true);
  if (!desired.active) {
    return { kind: 'skip', reason: 'SourceDisabled', detail: 'the source account is disabled and has no account in the target to update' };
  }
  return { kind: 'create', resource: desired.resource, values: desired.values, reason: 'no matching account in the target' };
}

function update(input: PlanInput, targetId: string, previous: ManagedValues, desired: DesiredTarget, link: boolean): Action {
  const absentDefaults = Object.entries(desired.defaults ?? {}).filter(([path]) => previous[path] === undefined || previous[path] === null);
  const values = absentDefaults.length ? { ...Object.fromEntries(absentDefaults), ...desired.values } : desired.values;
  const { operations, changes } = input.diff(previous, values);
  if (operations.length === 0) {
    if (link) {
      return {
        kind: 'update',
        targetId,
        operations,
        changes,
        values,
        link,
        disables: false,
        reason: 'matched an existing account that already holds the mapped values',
      };
    }
    return { kind: 'skip', reason: 'RedundantExport', targetId, detail: 'the target already holds the mapped values' };
  }
  const disables = changes.some((change) => change.name.toLowerCase() === 'active' && isFalse(change.new) && !isFalse(change.old));
  return {
    kind: 'update',
    targetId,
    operations,
    changes,
    values,
    link,
    disables,
    reason: link ? 'matched an existing account and updates the changed attributes' : 'source attributes changed',
  };
}

function isFalse(value: unknown): boolean {
  return value === false || (typeof value === 'string' && value.toLowerCase() === 'false');
}
