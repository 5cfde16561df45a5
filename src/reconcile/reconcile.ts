/**
 * The one apply path: plan an action for a source object and carry it out against the target,
 * idempotently. Any call may run twice (an activity retry, a worker crash): an object without an
 * anchor is always matched before it is created, and a 409 on create means "match and link".
 */
import { ProvisioningError, toErrorInfo, type ErrorInfo } from '../errors/index';
import type { PatchOperation, ScimResource } from '../scim/types';
import type { ObjectType, SourceObject } from '../source/index';
import type { TargetIndex } from './target-index';
import {
  planAction,
  type Action,
  type AnchorView,
  type DesiredTarget,
  type ManagedValues,
  type MatchResult,
  type ModifiedProperty,
  type PlanInput,
} from './plan';

/** The target operations reconcile needs (a SCIM client provides them). */
export interface TargetPort {
  /** The resource endpoint written to (`Users`, `Groups`), for the requests the log shows. */
  endpoint: 'Users' | 'Groups';
  find(attribute: string, value: string | number | boolean): Promise<ScimResource[]>;
  create(resource: ScimResource): Promise<ScimResource>;
  patch(id: string, operations: PatchOperation[]): Promise<unknown>;
  delete(id: string): Promise<void>;
  /** Reads one resource; used to learn what the target holds after a write whose outcome is unknown. */
  get?(id: string): Promise<ScimResource>;
}

export interface AnchorRecord extends AnchorView {
  sourceId: string;
}

/** Where anchors live (the store provides it). */
export interface AnchorPort {
  get(sourceId: string): Promise<AnchorRecord | undefined>;
  save(sourceId: string, anchor: AnchorView): Promise<void>;
}

/** Mapping functions, injected so that reconcile does not care how values are computed. */
export interface MappingPort {
  /** Maps a source object; `matching` lists (filter attribute, value) pairs in precedence order. */
  map(
    source: SourceObject,
    operation: 'create' | 'update',
  ): DesiredTarget & { matching: { path: string; value: string | number | boolean }[] };
  /** Every managed target path, formatted. */
  paths: string[];
  /** The target paths used for matching, in precedence order. */
  matchingPaths: string[];
  /** The desired target with a SelectUniqueValue path filled with the chosen candidate. */
  withUnique(desired: DesiredTarget, path: string, value: string): DesiredTarget;
  /** Reads the managed paths' values out of a target resource. */
  read(resource: ScimResource, paths: string[]): ManagedValues;
  diff: PlanInput['diff'];
}

/** The accidental-deprovisioning guard: asked before each disable or delete. */
export interface DeprovisionGuard {
  /** True when one more account may be disabled or deleted in this run. */
  claim(): Promise<boolean>;
  /** The app's threshold, for the log. */
  threshold: number;
}

/**
 * References to other source objects (a user's manager): turned into the referenced object's
 * target id before mapping. A reference whose object has no account yet is left out and
 * recorded as pending, to be written once it has one.
 */
export interface ReferencePort {
  resolve(
    source: SourceObject,
    options: { dryRun: boolean },
  ): Promise<{ source: SourceObject; pending: { attribute: string; refId: string }[] }>;
}

export interface ReconcileContext {
  objectType: ObjectType;
  /** Resolves references before mapping; absent when the mappings use none. */
  references?: ReferencePort;
  /**
   * Asked right before an account is created or re-enabled: a reason refuses it (a person who
   * left after the batch's scope was read). The last check, so no race re-enables a leaver.
   */
  admit?: (sourceId: string) => Promise<string | undefined>;
  /** Absent: no limit (on-demand requests are deliberate, one object). */
  guard?: DeprovisionGuard;
  /** Match against this index of the target instead of one filter query per object; scimflow's writes keep it current. */
  index?: TargetIndex;
  /**
   * Present when the target cannot be queried with filters: the index is all there is to match
   * with, so unique values are checked in it and a conflict on create lists the target again.
   */
  indexOnly?: { refresh(stale: TargetIndex | undefined): Promise<TargetIndex> };
  target: TargetPort;
  anchors: AnchorPort;
  mapping: MappingPort;
  deprovisioning: PlanInput['deprovisioning'];
}

/**
 * Why an object is (or is not) in an app's scope: `all` objects of its kind, assigned `direct`ly,
 * through assigned `group`s, or `none` (out of scope); `detail` says it in words, the scoping
 * filter's verdict included.
 */
export interface ScopeReason {
  via: 'all' | 'direct' | 'group' | 'none';
  /** The service principal assigned to, for `direct` and `group`. */
  servicePrincipalId?: string;
  /** The assigned groups the user is a (nested) member of, for `group` (and `direct` when also a member). */
  groupIds?: string[];
  detail: string;
}

export interface ScopeDecision {
  inScope: boolean;
  /** Why, in one line, for the log and on-demand steps. */
  detail: string;
  /** The scoping filter's evaluation, group by group and clause by clause, when the app has one. */
  groups?: unknown[];
  /** Why, as data kept with the anchor: how the object came into scope (or that it is out). */
  reason?: ScopeReason;
  /** Out of scope for a reason that asks for this action instead of the app's `outOfScope` (a person who left is disabled; their run deletes later). */
  deprovision?: PlanInput['deprovisioning']['outOfScope'];
}

export type StepName = 'import' | 'scoping' | 'matching' | 'processing' | 'export';
export type StepStatus = 'Success' | 'Failure' | 'Skipped' | 'Warning';

export interface Step {
  name: StepName;
  status: StepStatus;
  detail: string;
  data?: unknown;
}

/** Entra's provisioning-log action names. */
export type LogAction = 'Create' | 'Update' | 'Disable' | 'Delete' | 'StagedDelete' | 'Other';

export interface ReconcileOutcome {
  sourceId: string;
  sourceDisplay: string | undefined;
  objectType: ObjectType;
  targetId: string | undefined;
  action: LogAction;
  status: 'Success' | 'Failure' | 'Skipped' | 'Warning';
  reason: string;
  changes: ModifiedProperty[];
  steps: Step[];
  error?: ErrorInfo;
  /** The SCIM request that was (or, for a dry run, would be) sent. */
  request?: { method: string; path: string; body?: unknown };
}

function displayOf(source: SourceObject): string | undefined {
  const a = source.attributes;
  const value = a.displayName ?? a.userPrincipalName ?? a.mail;
  return typeof value === 'string' ? value : undefined;
}

/** Finds the target account for an unanchored object, trying matching attributes in precedence order. */
async function matchTarget(ctx: ReconcileContext, desired: ReturnType<MappingPort['map']>): Promise<MatchResult> {
  if (ctx.index) return matchInIndex(ctx, ctx.index, desired);
  for (const { path, value } of desired.matching) {
    const found = await ctx.target.find(path, value);
    if (found.length > 1) return { kind: 'many', path, count: found.length };
    const [only] = found;
    if (only?.id) return { kind: 'one', targetId: only.id, path, values: ctx.mapping.read(only, Object.keys(desired.values)) };
  }
  return { kind: 'none' };
}

/**
 * A match in the index; an index that holds only matching values reads the matched account, so
 * the update is planned against what the target holds. An account gone meanwhile leaves the
 * index and the match is tried again.
 */
async function matchInIndex(ctx: ReconcileContext, index: TargetIndex, desired: ReturnType<MappingPort['map']>): Promise<MatchResult> {
  for (;;) {
    const found = index.match(desired.matching);
    if (found.kind !== 'one' || found.complete || !ctx.target.get) return found;
    try {
      const held = await ctx.target.get(found.targetId);
      return { kind: 'one', targetId: found.targetId, path: found.path, values: ctx.mapping.read(held, Object.keys(desired.values)) };
    } catch (error) {
      if (!(error instanceof ProvisioningError && error.code === 'NotFound')) throw error;
      index.remove(found.targetId);
    }
  }
}

function describeMatch(match: MatchResult | undefined, anchor: AnchorView | undefined): Step {
  if (anchor && anchor.state !== 'deleted')
    return { name: 'matching', status: 'Success', detail: `linked to target account ${anchor.targetId}` };
  if (!match) return { name: 'matching', status: 'Skipped', detail: 'not needed' };
  if (match.kind === 'none') return { name: 'matching', status: 'Success', detail: 'no target account matches' };
  if (match.kind === 'one')
    return { name: 'matching', status: 'Success', detail: `matched target account ${match.targetId} on ${match.path}` };
  return { name: 'matching', status: 'Failure', detail: `${match.count} target accounts match on ${match.path}` };
}

const PATCH_INACTIVE: PatchOperation[] = [{ op: 'replace', path: 'active', value: false }];

/**
 * Reconciles one source object with the target: plan, apply, record the anchor. Never throws
 * for an object-level failure: the outcome carries the error (for escrow and the log). With
 * `dryRun` it stops before the first write and reports the request it would send.
 */
export async function reconcileObject(
  ctx: ReconcileContext,
  source: SourceObject,
  scope: ScopeDecision,
  options: { dryRun?: boolean } = {},
): Promise<ReconcileOutcome> {
  const steps: Step[] = [
    {
      name: 'import',
      status: 'Success',
      detail: source.removed ? `the source reports the object removed (${source.removed})` : 'read the source object',
      data: source.removed ? undefined : source.attributes,
    },
    { name: 'scoping', status: scope.inScope ? 'Success' : 'Skipped', detail: scope.detail, ...(scope.groups && { data: scope.groups }) },
  ];
  const base = { sourceId: source.id, sourceDisplay: displayOf(source), objectType: ctx.objectType };
  try {
    let resolved = source;
    if (ctx.references && !source.removed && scope.inScope) {
      const references = await ctx.references.resolve(source, { dryRun: options.dryRun ?? false });
      resolved = references.source;
      for (const { attribute, refId } of references.pending) {
        steps.push({
          name: 'processing',
          status: 'Warning',
          detail: `${attribute} ${refId} has no account in the target yet: left out now, written once it has one`,
        });
      }
    }
    return await attempt(ctx, resolved, scope, steps, base, options.dryRun ?? false, true);
  } catch (error) {
    const info = toErrorInfo(error);
    steps.push({ name: 'export', status: 'Failure', detail: info.detail ? `${info.message}: ${info.detail}` : info.message });
    return { ...base, targetId: undefined, action: 'Other', status: 'Failure', reason: info.message, changes: [], steps, error: info };
  }
}

async function attempt(
  ctx: ReconcileContext,
  source: SourceObject,
  scope: ScopeDecision,
  steps: Step[],
  base: Pick<ReconcileOutcome, 'sourceId' | 'sourceDisplay' | 'objectType'>,
  dryRun: boolean,
  mayRetry: boolean,
): Promise<ReconcileOutcome> {
  const anchor = await ctx.anchors.get(source.id);
  const live = anchor && anchor.state !== 'deleted' ? anchor : undefined;
  const wanted = !source.removed && scope.inScope;
  const desired = wanted ? ctx.mapping.map(source, live ? 'update' : 'create') : undefined;
  let match: MatchResult | undefined;
  if (!live && desired) match = await matchTarget(ctx, desired);
  steps.push(describeMatch(match, anchor));

  let action = planAction({
    source,
    inScope: scope.inScope,
    ...(desired && { desired }),
    ...(anchor && { anchor }),
    ...(match && { match }),
    deprovisioning: scope.deprovision ? { ...ctx.deprovisioning, outOfScope: scope.deprovision } : ctx.deprovisioning,
    diff: ctx.mapping.diff,
  });
  const enables =
    action.kind === 'create' ||
    (action.kind === 'update' && action.changes.some((c) => c.name.toLowerCase() === 'active' && isTrue(c.new) && !isTrue(c.old)));
  if (ctx.admit && enables) {
    const refusal = await ctx.admit(source.id);
    if (refusal)
      action = { kind: 'skip', reason: 'NotInScope', ...('targetId' in action && { targetId: action.targetId }), detail: refusal };
  }
  if (action.kind === 'create' && desired?.unique) {
    const chosen = await chooseUniqueValues(ctx, desired, steps);
    action = { ...action, resource: chosen.resource, values: chosen.values };
  }
  steps.push({ name: 'processing', status: action.kind === 'fail' ? 'Failure' : 'Success', detail: describeAction(action) });

  try {
    return hideRedactedValues(await apply(ctx, source, action, steps, base, dryRun), desired?.redacted);
  } catch (error) {
    // The target lost an account we had anchored: forget the anchor and decide again, once.
    if (mayRetry && live && error instanceof ProvisioningError && error.code === 'NotFound' && action.kind === 'update') {
      await ctx.anchors.save(source.id, { ...live, state: 'deleted' });
      steps.push({ name: 'export', status: 'Warning', detail: `target account ${live.targetId} no longer exists; matching again` });
      return attempt(ctx, source, scope, steps, base, dryRun, false);
    }
    // Someone (or an earlier attempt of ours) created the account in between: match and link.
    if (mayRetry && error instanceof ProvisioningError && error.kind === 'conflict' && action.kind === 'create') {
      steps.push({ name: 'export', status: 'Warning', detail: 'the target reported a conflict on create; matching again' });
      if (ctx.indexOnly)
        return attempt({ ...ctx, index: await ctx.indexOnly.refresh(ctx.index) }, source, scope, steps, base, dryRun, false);
      const { index: _snapshot, ...live } = ctx;
      return attempt(live, source, scope, steps, base, dryRun, false);
    }
    // A write whose outcome is unknown (no answer, a 5xx) may or may not have been applied.
    // Remember what the target holds now, so the retry compares with it rather than with our
    // last write, and cannot add the same value twice on a target where add is not idempotent.
    if (
      live &&
      !dryRun &&
      error instanceof ProvisioningError &&
      error.kind === 'transient' &&
      (action.kind === 'update' || action.kind === 'disable')
    ) {
      await rememberTargetState(ctx, source.id, live);
    }
    throw error;
  }
}

async function rememberTargetState(ctx: ReconcileContext, sourceId: string, anchor: AnchorView): Promise<void> {
  if (!ctx.target.get) return;
  try {
    const held = ctx.mapping.read(await ctx.target.get(anchor.targetId), ctx.mapping.paths);
    await ctx.anchors.save(sourceId, { ...anchor, lastExported: held });
  } catch {
    // The target cannot be read either: the anchor stays, and the retry diffs against it.
  }
}

/**
 * Fills each SelectUniqueValue path with its first candidate the target does not hold (one
 * filter query per candidate tried, or the index where the target cannot filter; creates
 * only). No free candidate fails the object.
 */
async function chooseUniqueValues(ctx: ReconcileContext, desired: DesiredTarget, steps: Step[]): Promise<DesiredTarget> {
  let current = desired;
  for (const [path, candidates] of Object.entries(desired.unique ?? {})) {
    let chosen: string | undefined;
    for (const candidate of candidates) {
      const taken = ctx.indexOnly ? ctx.index?.holds(path, candidate) : undefined;
      if (taken ?? (await ctx.target.find(path, candidate)).length > 0) continue;
      chosen = candidate;
      break;
    }
    if (chosen === undefined) {
      const tried = candidates.length
        ? `the target already holds every candidate (${candidates.map((c) => JSON.stringify(c)).join(', ')})`
        : 'no rule gave a value';
      throw new ProvisioningError({ kind: 'permanent', code: 'Conflict', message: `SelectUniqueValue for ${path}: ${tried}` });
    }
    steps.push({ name: 'processing', status: 'Success', detail: `SelectUniqueValue chose ${path} = ${JSON.stringify(chosen)}` });
    current = ctx.mapping.withUnique(current, path, chosen);
  }
  return current;
}

const REDACTED = '[Redact]';

/** Values of mappings that call Redact() are written to the target but never shown in the log. */
function hideRedactedValues(outcome: ReconcileOutcome, paths: string[] | undefined): ReconcileOutcome {
  if (!paths?.length) return outcome;
  const hidden = new Set(paths);
  const changes = outcome.changes.map((c) =>
    hidden.has(c.name) ? { name: c.name, old: c.old === null ? null : REDACTED, new: c.new === null ? null : REDACTED } : c,
  );
  return { ...outcome, changes };
}

function describeAction(action: Action): string {
  switch (action.kind) {
    case 'create':
      return `create: ${action.reason}`;
    case 'update':
      return `${action.link ? 'link and update' : 'update'}: ${action.reason}${action.changes.length ? ` (${action.changes.map((c) => c.name).join(', ')})` : ''}`;
    case 'disable':
      return `disable: ${action.reason}`;
    case 'delete':
      return `delete: ${action.reason}`;
    case 'skip':
      return `skip (${action.reason}): ${action.detail}`;
    case 'fail':
      return `${action.code}: ${action.reason}`;
  }
}

async function apply(
  ctx: ReconcileContext,
  source: SourceObject,
  action: Action,
  steps: Step[],
  base: Pick<ReconcileOutcome, 'sourceId' | 'sourceDisplay' | 'objectType'>,
  dryRun: boolean,
): Promise<ReconcileOutcome> {
  const done = (rest: Omit<ReconcileOutcome, keyof typeof base | 'steps'>): ReconcileOutcome => {
    steps.push({
      name: 'export',
      status: rest.status,
      detail: dryRun && rest.request ? `dry run: would send ${rest.request.method} ${rest.request.path}` : rest.reason,
    });
    return { ...base, ...rest, steps };
  };
  const deprovisions = action.kind === 'disable' || action.kind === 'delete' || (action.kind === 'update' && action.disables);
  if (deprovisions && !dryRun && ctx.guard && !(await ctx.guard.claim())) {
    const reason = `held back: this cycle reached the app's deprovisioning threshold (${ctx.guard.threshold}); an admin must allow deletes`;
    const targetId = 'targetId' in action ? action.targetId : undefined;
    steps.push({ name: 'export', status: 'Skipped', detail: reason });
    return {
      ...base,
      targetId,
      action: 'StagedDelete',
      status: 'Skipped',
      reason,
      changes: [],
      steps,
      error: { kind: 'permanent', code: 'TooManyDeletes', message: reason },
    };
  }
  switch (action.kind) {
    case 'skip':
      return done({
        targetId: action.targetId,
        action: 'Other',
        status: 'Skipped',
        reason: `${action.reason}: ${action.detail}`,
        changes: [],
      });
    case 'fail':
      throw new ProvisioningError({ kind: 'permanent', code: action.code, message: action.reason });
    case 'create': {
      const request = { method: 'POST', path: `/${ctx.target.endpoint}`, body: action.resource };
      if (dryRun)
        return done({
          targetId: undefined,
          action: 'Create',
          status: 'Success',
          reason: action.reason,
          changes: changesOf({}, action.values),
          request,
        });
      const created = await ctx.target.create(action.resource);
      if (!created.id)
        throw new ProvisioningError({
          kind: 'permanent',
          code: 'InvalidResponse',
          message: `the target created the ${ctx.objectType} but returned no id`,
        });
      await ctx.anchors.save(source.id, {
        targetId: created.id,
        lastExported: exported(action.values),
        state: action.values.active === false ? 'disabled' : 'active',
      });
      ctx.index?.put(created.id, exported(action.values));
      return done({
        targetId: created.id,
        action: 'Create',
        status: 'Success',
        reason: action.reason,
        changes: changesOf({}, action.values),
        request,
      });
    }
    case 'update': {
      const request = { method: 'PATCH', path: `/${ctx.target.endpoint}/${action.targetId}`, body: { Operations: action.operations } };
      const logAction: LogAction = action.disables ? 'Disable' : 'Update';
      if (dryRun)
        return done({
          targetId: action.targetId,
          action: logAction,
          status: 'Success',
          reason: action.reason,
          changes: action.changes,
          request,
        });
      if (action.operations.length > 0) await ctx.target.patch(action.targetId, action.operations);
      await ctx.anchors.save(source.id, {
        targetId: action.targetId,
        lastExported: exported(action.values),
        state: action.values.active === false ? 'disabled' : 'active',
      });
      ctx.index?.put(action.targetId, exported(action.values));
      return done({
        targetId: action.targetId,
        action: logAction,
        status: 'Success',
        reason: action.reason,
        changes: action.changes,
        request,
      });
    }
    case 'disable': {
      const request = { method: 'PATCH', path: `/${ctx.target.endpoint}/${action.targetId}`, body: { Operations: PATCH_INACTIVE } };
      const changes = [{ name: 'active', old: true, new: false }];
      if (dryRun) return done({ targetId: action.targetId, action: 'Disable', status: 'Success', reason: action.reason, changes, request });
      const anchor = await ctx.anchors.get(source.id);
      try {
        await ctx.target.patch(action.targetId, PATCH_INACTIVE);
      } catch (error) {
        if (!(error instanceof ProvisioningError && error.code === 'NotFound')) throw error;
        await ctx.anchors.save(source.id, { targetId: action.targetId, lastExported: anchor?.lastExported ?? {}, state: 'deleted' });
        return done({
          targetId: action.targetId,
          action: 'Disable',
          status: 'Warning',
          reason: `${action.reason}; the target account no longer exists`,
          changes: [],
          request,
        });
      }
      await ctx.anchors.save(source.id, {
        targetId: action.targetId,
        lastExported: { ...(anchor?.lastExported ?? {}), active: false },
        state: 'disabled',
      });
      return done({ targetId: action.targetId, action: 'Disable', status: 'Success', reason: action.reason, changes, request });
    }
    case 'delete': {
      const request = { method: 'DELETE', path: `/${ctx.target.endpoint}/${action.targetId}` };
      if (dryRun)
        return done({ targetId: action.targetId, action: 'Delete', status: 'Success', reason: action.reason, changes: [], request });
      const anchor = await ctx.anchors.get(source.id);
      await ctx.target.delete(action.targetId);
      ctx.index?.remove(action.targetId);
      await ctx.anchors.save(source.id, { targetId: action.targetId, lastExported: anchor?.lastExported ?? {}, state: 'deleted' });
      return done({ targetId: action.targetId, action: 'Delete', status: 'Success', reason: action.reason, changes: [], request });
    }
  }
}

function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/** What the target holds once the values are applied: cleared (null) paths hold nothing. */
function exported(values: ManagedValues): ManagedValues {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null && value !== undefined));
}

function changesOf(previous: ManagedValues, values: ManagedValues): ModifiedProperty[] {
  return Object.entries(values)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([name, value]) => ({ name, old: previous[name] ?? null, new: value }));
}
