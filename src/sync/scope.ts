/**
 * The one scope decision, for users and groups alike: a person who has left stays out (users),
 * then the app's assignment (when it provisions assigned objects only), then its scoping filter,
 * clause by clause.
 */
import { evaluateScope, type ScopingFilter } from '../mapping/scoping/index';
import type { AssignedVia } from '../graph/index';
import type { ScopeDecision, ScopeReason } from '../reconcile/index';
import type { SourceObject } from '../source/index';
import { PERSON_LEFT, type AppContext } from './app-context';
import { cycleKey, type SyncEnv } from './env';
import type { ObjectKind } from './kinds';

/**
 * The decision for an object already let in by `why` (all objects, or an assignment): the
 * app's filter then decides; without a filter it is in. The reason kept with the anchor says
 * how it was let in, or `none` when the filter keeps it out.
 */
export function filteredScope(
  filter: ScopingFilter | undefined,
  object: SourceObject,
  why: string,
  via?: Omit<ScopeReason, 'detail'>,
): ScopeDecision {
  const letIn = via ?? { via: 'all' as const };
  if (!filter) return { inScope: true, detail: why, reason: { ...letIn, detail: why } };
  const decision = evaluateScope(filter, object.attributes);
  const detail = `${why}; ${decision.detail}`;
  return {
    inScope: decision.inScope,
    detail,
    groups: decision.groups,
    reason: decision.inScope ? { ...letIn, detail } : { via: 'none', detail },
  };
}

/** How an assigned object was let in, and the words for it. */
export function assignedReason(servicePrincipalId: string, via: AssignedVia): { why: string; reason: Omit<ScopeReason, 'detail'> } {
  const groups = via.groupIds.length > 0 ? { groupIds: [...via.groupIds] } : {};
  if (via.direct)
    return { why: `assigned to service principal ${servicePrincipalId}`, reason: { via: 'direct', servicePrincipalId, ...groups } };
  const named = via.groupIds.length === 1 ? `group ${via.groupIds[0]}` : `groups ${via.groupIds.join(', ')}`;
  return {
    why: `assigned to service principal ${servicePrincipalId} through ${named}`,
    reason: { via: 'group', servicePrincipalId, ...groups },
  };
}

/**
 * The ids of `kind` assigned to the app's service principal: read once per cycle and worker
 * (`cycleId`), fresh outside a cycle.
 */
export function assignedIds(
  env: SyncEnv,
  ctx: AppContext,
  kind: ObjectKind,
  servicePrincipalId: string,
  cycleId: string | null,
): Promise<Map<string, AssignedVia>> {
  const read = () => kind.assigned(ctx, servicePrincipalId);
  return cycleId === null ? read() : env.perCycle.assigned.get(cycleKey(cycleId, kind.type), read);
}

/**
 * The app's scope decision for objects of `kind`. The lifecycle state is read for each call
 * (one indexed query), so a leave recorded during a cycle counts from the cycle's next batch.
 */
export async function scopeFor(
  env: SyncEnv,
  ctx: AppContext,
  kind: ObjectKind,
  cycleId: string | null,
): Promise<(object: SourceObject) => ScopeDecision> {
  const filter = kind.scoping(ctx);
  const left = kind.people ? await env.store.persons.allLeft() : new Set<string>();
  // Disabled, never deleted here: the leaver run deletes after the app's retention period.
  const hasLeft = (object: SourceObject): ScopeDecision | undefined =>
    left.has(object.id)
      ? { inScope: false, detail: PERSON_LEFT, deprovision: 'disable', reason: { via: 'none', detail: PERSON_LEFT } }
      : undefined;
  const { scope, servicePrincipalId } = ctx.app.source;
  if (scope === 'all' || !servicePrincipalId) {
    return (object) => hasLeft(object) ?? filteredScope(filter, object, `the app provisions all ${kind.noun}s`);
  }
  const assigned = await assignedIds(env, ctx, kind, servicePrincipalId, cycleId);
  const notAssigned = `not assigned to service principal ${servicePrincipalId}${kind.assignedThroughGroups ? ', directly or through a group' : ''}`;
  return (object) => {
    const left = hasLeft(object);
    if (left) return left;
    const via = assigned.get(object.id);
    if (!via) return { inScope: false, detail: notAssigned, reason: { via: 'none', detail: notAssigned } };
    const { why, reason } = assignedReason(servicePrincipalId, via);
    return filteredScope(filter, object, why, reason);
  };
}
