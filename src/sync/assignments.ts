/**
 * What a delta round does not show: an assignment to the app, or an app role, changes without
 * touching the user or group, so the incremental phases of a cycle compare the app's current
 * assignments and roles with what scimflow holds and reconcile the objects that differ.
 */
import type { AppContext } from './app-context';
import type { SyncEnv } from './env';
import { USERS, type ObjectKind } from './kinds';
import { partOf, type Progress } from './progress';
import { reconcileObjects } from './reconcile-objects';
import { assignedIds, scopeFor } from './scope';
import type { SourceObject } from '../source/index';
import type { Anchor } from '../store/index';

const ANCHOR_PAGE = 1000;

/**
 * Whether an anchored object no longer assigned needs a reconcile: an account still active is
 * deprovisioned, a disabled one only where the app deletes out-of-scope objects. A person who has
 * left is their leaver run's, which deletes after the app's retention.
 */
export function unassignedNeedsReconcile(anchor: Pick<Anchor, 'state'>, outOfScope: string, hasLeft: boolean): boolean {
  if (anchor.state === 'active') return true;
  return anchor.state === 'disabled' && outOfScope === 'delete' && !hasLeft;
}

/**
 * For apps scoped to assigned objects: objects assigned since the last round are provisioned,
 * and anchored objects no longer assigned are deprovisioned (per `unassignedNeedsReconcile`).
 */
export async function reconcileAssignmentChanges(
  env: SyncEnv,
  ctx: AppContext,
  kind: ObjectKind,
  cycleId: string,
  progress: Progress,
): Promise<number> {
  const { scope: scopeKind, servicePrincipalId } = ctx.app.source;
  if (scopeKind !== 'assigned' || !servicePrincipalId || !kind.enabled(ctx)) return 0;
  const assigned = await assignedIds(env, ctx, kind, servicePrincipalId, cycleId);
  const left = kind.people ? await env.store.persons.allLeft() : new Set<string>();
  const { outOfScope } = kind.reconcile(ctx).deprovisioning;
  const anchored = new Set<string>();
  const unassigned: string[] = [];
  for (let cursor: string | undefined; ;) {
    const page = await env.store.anchors.listByApp(ctx.app.id, { objectType: kind.type, limit: ANCHOR_PAGE, ...(cursor && { cursor }) });
    for (const anchor of page.items) {
      if (anchor.state === 'deleted') continue;
      anchored.add(anchor.sourceId);
      if (!assigned.has(anchor.sourceId) && unassignedNeedsReconcile(anchor, outOfScope, left.has(anchor.sourceId)))
        unassigned.push(anchor.sourceId);
    }
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  const newlyAssigned = [...assigned.keys()].filter((id) => !anchored.has(id));
  if (unassigned.length === 0 && newlyAssigned.length === 0) return 0;
  const found = new Map((await kind.readWhole(ctx, [...unassigned, ...newlyAssigned])).map((o) => [o.id, o]));
  // An anchored object the source no longer returns was deleted there.
  const objects = [
    ...unassigned.map((id): SourceObject => found.get(id) ?? { id, type: kind.type, attributes: {}, removed: 'changed' }),
    ...newlyAssigned.flatMap((id) => (found.has(id) ? [found.get(id)!] : [])),
  ];
  const scope = await scopeFor(env, ctx, kind, cycleId);
  const result = await reconcileObjects(env, ctx, kind, {
    objects,
    run: { cycleId, phase: 'scope' },
    scope,
    progress: partOf(progress, `${kind.noun}-assignments`),
  });
  return result.processed;
}

/** A stable key of the app roles a user holds; empty for none. */
function roleKey(roles: readonly { id: string }[]): string {
  return roles
    .map((role) => role.id)
    .sort()
    .join(',');
}

/** The app roles each user holds now, as keys; users without a role are left out. */
async function currentRoles(ctx: AppContext, fresh: boolean): Promise<Map<string, string>> {
  const roles = await ctx.appRoles!({ fresh });
  return new Map([...roles].map(([id, held]) => [id, roleKey(held)] as const).filter(([, key]) => key !== ''));
}

/**
 * Users whose app roles changed since the snapshot are reconciled again, and the snapshot
 * follows. Without a snapshot yet one is taken: the last initial cycle wrote everyone's roles.
 */
export async function reconcileRoleChanges(env: SyncEnv, ctx: AppContext, cycleId: string, progress: Progress): Promise<number> {
  if (!ctx.appRoles) return 0;
  const current = await currentRoles(ctx, true);
  const snapshot = await env.store.roleSnapshots.all(ctx.app.id);
  const changed = [...new Set([...current.keys(), ...snapshot.keys()])].filter((id) => current.get(id) !== snapshot.get(id));
  const record = () =>
    env.store.roleSnapshots.apply(
      ctx.app.id,
      changed.filter((id) => current.has(id)).map((id) => [id, current.get(id)!] as const),
      changed.filter((id) => !current.has(id)),
    );
  if (snapshot.size === 0 || changed.length === 0) {
    await record();
    return 0;
  }
  const objects = await USERS.readWhole(ctx, changed);
  const scope = await scopeFor(env, ctx, USERS, cycleId);
  const result = await reconcileObjects(env, ctx, USERS, {
    objects,
    run: { cycleId, phase: 'roles' },
    scope,
    progress: partOf(progress, 'roles'),
  });
  await record();
  return result.processed;
}

/** After an initial cycle, which wrote everyone's roles: later cycles compare with the roles as they are now. */
export async function snapshotRoles(env: SyncEnv, ctx: AppContext): Promise<void> {
  if (!ctx.appRoles) return;
  const current = await currentRoles(ctx, false);
  const known = await env.store.roleSnapshots.all(ctx.app.id);
  await env.store.roleSnapshots.apply(
    ctx.app.id,
    [...current],
    [...known.keys()].filter((id) => !current.has(id)),
  );
}
