/**
 * One object now, through the cycle's own path: on-demand provisioning (scope, reconcile, the
 * group's members, the record path, then the references waiting for the object), its dry run
 * (nothing written or recorded), and the lifecycle runs' steps for one person in one app.
 */
import type { ErrorInfo } from '../errors/index';
import { reconcileObject, type MappingPort, type ReconcileContext, type ReconcileOutcome, type ScopeDecision } from '../reconcile/index';
import type { SourceObject } from '../source/index';
import type { AppContext } from './app-context';
import type { OnDemandResult, PreviewResult } from './contract';
import type { SyncEnv } from './env';
import { GROUPS, USERS, type ObjectKind } from './kinds';
import { untracked } from './progress';
import { recordOutcomes, type Recorded, type Run } from './record';
import { reconcileObjects } from './reconcile-objects';
import { resolveReferences } from './references';
import { scopeFor } from './scope';
import { matchingForOne, type Matching } from './target-indexes';

type Found = { ctx: AppContext; object: SourceObject; kind: ObjectKind; scope: ScopeDecision } | { error: ErrorInfo };

/** Reads the object from the directory (a user, or with groups enabled a group) and decides its scope as a cycle would. */
async function findObject(env: SyncEnv, appId: string, objectId: string): Promise<Found> {
  const ctx = await env.appContext(appId);
  const user = await ctx.source.getUser(objectId);
  const group = user || !GROUPS.enabled(ctx) ? undefined : (await GROUPS.readWhole(ctx, [objectId]))[0];
  const object = user ?? group;
  if (!object) {
    const what = GROUPS.enabled(ctx) ? 'user or group' : 'user';
    return { error: { kind: 'permanent', code: 'NotFound', message: `no ${what} ${objectId} in the source directory` } };
  }
  const kind = object.type === 'group' ? GROUPS : USERS;
  return { ctx, object, kind, scope: (await scopeFor(env, ctx, kind, null))(object) };
}

const importFailed = (error: ErrorInfo) => ({
  steps: [{ name: 'import' as const, status: 'Failure' as const, detail: error.message }],
  error,
});

function withoutType(outcome: ReconcileOutcome): Omit<ReconcileOutcome, 'objectType'> {
  const { objectType: _type, ...rest } = outcome;
  return rest;
}

/**
 * Provisions one user or group now, as a cycle would, and records it. A user's arrival then
 * resolves what waited for it: groups it is a member of and users it manages.
 *
 * @param run names the request (`request`), so a retried activity logs once
 */
export async function provisionOne(env: SyncEnv, appId: string, objectId: string, run: Run): Promise<OnDemandResult> {
  const found = await findObject(env, appId, objectId);
  if ('error' in found) return { objectId, outcome: null, status: 'Failure', ...importFailed(found.error) };
  const { ctx, object, kind, scope } = found;
  let outcome: ReconcileOutcome | undefined;
  await reconcileObjects(env, ctx, kind, {
    objects: [object],
    run,
    scope: () => scope,
    progress: untracked,
    recorded: (outcomes) => (outcome = outcomes[0] ?? outcome),
    ...(await matchingForOne(env, ctx, kind)),
  });
  if (!outcome) throw new Error(`provisioning ${objectId} recorded no outcome`);
  if (outcome.status === 'Success' && kind === USERS) await resolveReferences(env, ctx, run, untracked, objectId);
  return {
    objectId,
    outcome: withoutType(outcome),
    steps: outcome.steps,
    status: outcome.status,
    ...(outcome.error && { error: outcome.error }),
  };
}

/** What provisioning one user or group would do now: the scope decision, the match, the action and the exact request; nothing is written. */
export async function previewOne(env: SyncEnv, appId: string, objectId: string): Promise<PreviewResult> {
  const found = await findObject(env, appId, objectId);
  if ('error' in found) return { objectId, found: false, source: null, scope: null, outcome: null, ...importFailed(found.error) };
  const { ctx, object, kind, scope } = found;
  const context = { ...ctx.batch(kind.type).context, ...(await matchingForOne(env, ctx, kind)) };
  const outcome = await reconcileObject(context, object, scope, { dryRun: true });
  return {
    objectId,
    found: true,
    source: object.attributes,
    scope,
    outcome: withoutType(outcome),
    steps: outcome.steps,
    error: outcome.error ?? null,
  };
}

/**
 * The app's mapping with the account's `active` held false: the planner creates the account (the
 * person is wanted) and the target receives it disabled; the anchor records it disabled, so the
 * reconcile on the start date enables it.
 */
function heldDisabled(mapping: MappingPort): MappingPort {
  return {
    ...mapping,
    map(source, operation) {
      const desired = mapping.map(source, operation);
      return { ...desired, active: true, resource: { ...desired.resource, active: false }, values: { ...desired.values, active: false } };
    },
  };
}

/** One reconcile of a person in an app with an adjusted context, recorded through the record path. */
async function reconcilePerson(
  env: SyncEnv,
  ctx: AppContext,
  person: SourceObject,
  scope: ScopeDecision,
  run: Run,
  adjust: (context: ReconcileContext) => ReconcileContext,
  matching: Matching = {},
): Promise<ReconcileOutcome> {
  const batch = ctx.batch('user');
  const startedAt = env.now();
  const outcome = await reconcileObject({ ...adjust(batch.context), ...matching }, person, scope);
  const record: Recorded = { outcome, startedAt, finishedAt: env.now(), ...(scope.reason && { scope: scope.reason }) };
  const [recorded] = await recordOutcomes(env, ctx.app.id, run, [record], batch);
  return recorded!;
}

export type PersonStep = { skipped: string } | { outcome: ReconcileOutcome };

/**
 * Creates a person's account disabled, for a start date still to come: scope decided as in a
 * preview, then the reconcile path with `active` held false. An account that exists already is
 * left as it is, and so is an app that does not map `active` (its account is made on the start
 * date).
 */
export async function provisionDisabled(
  env: SyncEnv,
  appId: string,
  objectId: string,
  run: Run,
): Promise<PersonStep | { error: ErrorInfo }> {
  const found = await findObject(env, appId, objectId);
  if ('error' in found) return { error: found.error };
  const { ctx, object, scope } = found;
  if (object.type !== 'user')
    return { error: { kind: 'permanent', code: 'NotFound', message: `no user ${objectId} in the source directory` } };
  if (!scope.inScope) return { skipped: `not in the app's scope: ${scope.detail}` };
  if (!ctx.mapping.paths.includes('active')) return { skipped: 'the app does not map active; the account is made on the start date' };
  const anchor = await ctx.users.anchors.get(objectId);
  if (anchor && anchor.state !== 'deleted')
    return { skipped: `the account ${anchor.targetId} exists already; it stays as it is until the start date` };
  return {
    outcome: await reconcilePerson(
      env,
      ctx,
      object,
      scope,
      run,
      (context) => ({ ...context, mapping: heldDisabled(ctx.mapping) }),
      await matchingForOne(env, ctx, USERS),
    ),
  };
}

/**
 * Disables or deletes a person's account in the app, if it holds one. A leaver is out of scope
 * whatever the directory says now: nothing is read from it, so an unreachable Graph does not
 * hold a leaver back.
 */
export async function deprovisionPerson(
  env: SyncEnv,
  appId: string,
  person: { objectId: string; displayName: string | null },
  action: 'disable' | 'delete',
  reason: string,
  run: Run,
): Promise<ReconcileOutcome> {
  const ctx = await env.appContext(appId);
  const source: SourceObject = {
    id: person.objectId,
    type: 'user',
    attributes: person.displayName ? { displayName: person.displayName } : {},
  };
  const deprovisioning = { ...ctx.app.deprovisioning, softDeleted: action, hardDeleted: action, outOfScope: action };
  return reconcilePerson(env, ctx, source, { inScope: false, detail: reason }, run, (context) => ({ ...context, deprovisioning }));
}
