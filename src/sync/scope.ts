/**
 * The one scope decision, for users and groups alike: a person who has left stays out (users),
 * then the app's assignment (when it provisions assigned objects only), then its scoping filter,
 * clause by clause.
 */
import { evaluateScope, type ScopingFilter } from '../mapping/scoping/index';
import type { ScopeDecision } from '../reconcile/index';
import type { SourceObject } from '../source/index';
import { PERSON_LEFT, type AppContext } from './app-context';
import { cycleKey, type SyncEnv } from './env';
import type { ObjectKind } from './kinds';

/**
 * The decision for an object already let in by `why` (all objects, or an assignment): the
 * app's filter then decides; without a filter it is in.
 */
export function filteredScope(filter: ScopingFilter | undefined, object: SourceObject, why: string): ScopeDecision {
  if (!filter) return { inScope: true, detail: why };
  const decision = evaluateScope(filter, object.attributes);
  return { inScope: decision.inScope, detail: `${why}; ${decision.detail}`, groups: decision.groups };
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
): Promise<Set<string>> {
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
    left.has(object.id) ? { inScope: false, detail: PERSON_LEFT, deprovision: 'disable' } : undefined;
  const { scope, servicePrincipalId } = ctx.app.source;
  if (scope === 'all' || !servicePrincipalId) {
    return (object) => hasLeft(object) ?? filteredScope(filter, object, `the app provisions all ${kind.noun}s`);
  }
  const assigned = await assignedIds(env, ctx, kind, servicePrincipalId, cycleId);
  return (object) =>
    hasLeft(object) ??
    (assigned.has(object.id)
      ? filteredScope(filter, object, `assigned to service principal ${servicePrincipalId}`)
      : {
          inScope: false,
          detail: `not assigned to service principal ${servicePrincipalId}${kind.assignedThroughGroups ? ', directly or through a group' : ''}`,
        });
}
