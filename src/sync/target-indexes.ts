/**
 * How a worker matches unanchored objects with the target's accounts: against an index of the
 * target built from one paged listing (kept between cycles, current through scimflow's own
 * writes, listed again when stale, on a conflict, or on a retried activity), or with one filter
 * query per object. A target whose `/ServiceProviderConfig` says it cannot filter is matched
 * only through the index, so it takes new users on every cycle, not only on the first.
 */
import { toErrorInfo } from '../errors/index';
import { TargetIndex, type ReconcileContext } from '../reconcile/index';
import type { ScimResource } from '../scim/index';
import type { AppContext } from './app-context';
import { cycleKey, type SyncEnv } from './env';
import type { ObjectKind } from './kinds';
import type { Progress } from './progress';

/** Objects asked for per listing request when indexing a target (servers may answer with fewer). */
const INDEX_PAGE_SIZE = 1000;

/**
 * How long a kept index serves incremental rounds before the target is listed again. Accounts
 * made in the target by others meanwhile are found by a conflict on create, or at the next listing.
 */
export const INDEX_MAX_AGE_MS = 60 * 60_000;

/**
 * A page of an incremental round with at least this many objects that have no account yet
 * lists the target once rather than sending a filter query for each of them.
 */
export const NEW_OBJECTS_FOR_A_LISTING = 100;

/** Indexes kept by app and object kind, in this worker; the oldest go once there are more. */
const KEPT = 64;

export interface TargetIndexes {
  /** The kept index of `key`, if it matches on these paths and is younger than `maxAgeMs`. */
  kept(key: string, matchingPaths: readonly string[], maxAgeMs: number): TargetIndex | undefined;
  keep(key: string, index: TargetIndex): void;
  /** Lists the target for `key` once however many ask at the same time, and keeps the result. */
  build(key: string, list: () => Promise<TargetIndex>): Promise<TargetIndex>;
}

export function createTargetIndexes(): TargetIndexes {
  const kept = new Map<string, TargetIndex>();
  const building = new Map<string, Promise<TargetIndex>>();
  const keep = (key: string, index: TargetIndex) => {
    kept.delete(key);
    kept.set(key, index);
    if (kept.size > KEPT) kept.delete(kept.keys().next().value!);
  };
  return {
    kept(key, matchingPaths, maxAgeMs) {
      const index = kept.get(key);
      if (!index || Date.now() - index.builtAt > maxAgeMs) return undefined;
      const same = index.matchingPaths.length === matchingPaths.length && index.matchingPaths.every((p, i) => p === matchingPaths[i]);
      return same ? index : undefined;
    },
    keep,
    build(key, list) {
      let pending = building.get(key);
      if (!pending) {
        pending = list().then((index) => {
          keep(key, index);
          return index;
        });
        const settled = () => building.delete(key);
        pending.then(settled, settled);
        building.set(key, pending);
      }
      return pending;
    },
  };
}

/** Kept per app configuration: a changed target or mapping starts from a new listing. */
const indexKey = (ctx: AppContext, kind: ObjectKind) => `${ctx.app.id}:${ctx.app.updatedAt}:${kind.type}`;

/**
 * Lists every object of `kind` in the app's target, a page (of up to 1,000) at a time, through
 * the app's client and so within its rate budget; `onPage` has each page before the next is asked for.
 */
export async function listTargetPages(
  ctx: AppContext,
  kind: ObjectKind,
  onPage: (resources: ScimResource[]) => void | Promise<void>,
): Promise<void> {
  for (let startIndex = 1; ;) {
    const page = await ctx.target.list(kind.endpoint, { startIndex, count: INDEX_PAGE_SIZE, excludedAttributes: kind.listingExcludes });
    await onPage(page.Resources);
    if (page.Resources.length === 0 || startIndex - 1 + page.Resources.length >= page.totalResults) return;
    startIndex += page.Resources.length;
  }
}

/** Lists the target's objects of `kind` into an index; `full` keeps every managed value of each. */
async function listTarget(ctx: AppContext, kind: ObjectKind, full: boolean, progress?: Progress): Promise<TargetIndex> {
  const { mapping } = kind.reconcile(ctx);
  const paths = full ? mapping.paths : mapping.matchingPaths;
  const index = new TargetIndex(mapping.matchingPaths, (resource) => mapping.read(resource, paths), { full });
  await listTargetPages(ctx, kind, (resources) => {
    for (const resource of resources) index.add(resource);
    progress?.beat({ indexed: index.size });
  });
  return index;
}

export type Matching = Pick<ReconcileContext, 'index' | 'indexOnly'>;

/** Whether the app's target answers filter queries (its profile, with the admin's overrides). */
const filters = (ctx: AppContext) => ctx.profile.filter.supported;

/**
 * Lists the target again, unless the index `stale` was already replaced by a newer listing (or
 * one is under way): a burst of conflicts lists the target once.
 */
function relist(env: SyncEnv, ctx: AppContext, kind: ObjectKind, stale: TargetIndex | undefined): Promise<TargetIndex> {
  const key = indexKey(ctx, kind);
  const kept = env.targetIndexes.kept(key, kind.reconcile(ctx).mapping.matchingPaths, INDEX_MAX_AGE_MS);
  if (kept && stale && kept !== stale) return Promise.resolve(kept);
  return env.targetIndexes.build(key, () => listTarget(ctx, kind, false));
}

function indexOnlyFor(env: SyncEnv, ctx: AppContext, kind: ObjectKind): Matching['indexOnly'] {
  return filters(ctx) ? undefined : { refresh: (stale) => relist(env, ctx, kind, stale) };
}

/** A kept index young enough to serve. */
function keptIndex(env: SyncEnv, ctx: AppContext, kind: ObjectKind): TargetIndex | undefined {
  return env.targetIndexes.kept(indexKey(ctx, kind), kind.reconcile(ctx).mapping.matchingPaths, INDEX_MAX_AGE_MS);
}

/**
 * How a round's segment matches. An initial round lists the target once per cycle and worker
 * with every managed value (updates of matched accounts are planned without reading them
 * again), and keeps that index for a target that cannot filter (one that filters is asked
 * about new objects later, so nothing of a large listing stays in memory for it). An incremental round of a
 * target that filters lists it afresh when the segment's first page brings
 * `NEW_OBJECTS_FOR_A_LISTING` objects without an account, and otherwise sends a filter query
 * for each; one that cannot filter uses the kept index. A retried activity lists the
 * target again where it cannot filter, and otherwise matches with filter queries, so an account
 * created by a try that died is always found.
 *
 * @param unanchored how many objects of the segment's first page have no account yet
 */
export async function matchingForRound(
  env: SyncEnv,
  ctx: AppContext,
  kind: ObjectKind,
  round: { kind: 'initial' | 'incremental'; cycleId: string; unanchored: () => Promise<number> },
  progress: Progress,
): Promise<Matching> {
  if (kind.unsupported(ctx)) return {};
  const indexOnly = indexOnlyFor(env, ctx, kind);
  const key = indexKey(ctx, kind);
  const withIndex = (index: TargetIndex | undefined): Matching => (index ? { index, ...(indexOnly && { indexOnly }) } : {});
  if (progress.attempt > 1) return indexOnly ? withIndex(await relist(env, ctx, kind, undefined)) : {};

  if (round.kind === 'initial') {
    const index = await env.perCycle.index.get(cycleKey(round.cycleId, kind.type), async () => {
      try {
        const listed = await listTarget(ctx, kind, true, progress);
        // Only a target that cannot filter matches through a kept index later.
        if (indexOnly) env.targetIndexes.keep(key, listed);
        return listed;
      } catch (error) {
        // Without filter queries there is no other way to match: the activity fails and is retried.
        if (indexOnly) throw error;
        env.logger.warn(
          { appId: ctx.app.id, err: toErrorInfo(error) },
          `listing the target's ${kind.noun}s failed; matching with filter queries`,
        );
        return undefined;
      }
    });
    return withIndex(index);
  }

  if (indexOnly) {
    // Between cycles it holds only the matching values: a matched account is read before its update.
    const kept = keptIndex(env, ctx, kind);
    kept?.compact();
    return withIndex(kept ?? (await env.targetIndexes.build(key, () => listTarget(ctx, kind, false, progress))));
  }
  // A target that filters is asked about each new object, unless a page brings many: then one
  // listing of the target now (not a kept one, which misses accounts made since) serves the cycle.
  if ((await round.unanchored()) < NEW_OBJECTS_FOR_A_LISTING) return {};
  return withIndex(await env.perCycle.index.get(cycleKey(round.cycleId, kind.type), () => listTarget(ctx, kind, false, progress)));
}

/**
 * How an escrow retry matches: where the target cannot filter, against a fresh listing, since a
 * create whose answer was lost may have made the account.
 */
export async function matchingForRetry(env: SyncEnv, ctx: AppContext, kind: ObjectKind): Promise<Matching> {
  const indexOnly = indexOnlyFor(env, ctx, kind);
  if (!indexOnly || kind.unsupported(ctx)) return {};
  return { index: await relist(env, ctx, kind, undefined), indexOnly };
}

/**
 * How one object (on demand, a lifecycle run) matches: with a filter query where the target
 * filters, otherwise in the kept index, listing the target when none is young enough.
 */
export async function matchingForOne(env: SyncEnv, ctx: AppContext, kind: ObjectKind): Promise<Matching> {
  const indexOnly = indexOnlyFor(env, ctx, kind);
  if (!indexOnly || kind.unsupported(ctx)) return {};
  const index = keptIndex(env, ctx, kind) ?? (await env.targetIndexes.build(indexKey(ctx, kind), () => listTarget(ctx, kind, false)));
  return { index, indexOnly };
}
