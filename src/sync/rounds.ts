/**
 * A round of one object kind, one segment per activity: pages of a delta round read one ahead,
 * objects that carry only their changed properties read whole, matched (in an initial round)
 * against one listing of the target, reconciled and recorded. Also the escrow retry, which takes
 * failed objects of both kinds back through the same path.
 */
import { ProvisioningError } from '../errors/index';
import type { SourceObject, SourcePage } from '../source/index';
import type { AppContext } from './app-context';
import type { PageInput, PageResult, PhaseResult, RoundKind } from './contract';
import type { SyncEnv } from './env';
import { OBJECT_KINDS, type ObjectKind } from './kinds';
import { partOf, type Progress } from './progress';
import { reconcileObjects } from './reconcile-objects';
import { scopeFor } from './scope';
import type { StreamPage } from './stream';
import { matchingForRetry, matchingForRound } from './target-indexes';

/**
 * How much of a round one activity takes on before it hands back a link: enough pages to keep
 * the target busy across page boundaries, few enough that a retry redoes little and the
 * workflow shows progress.
 */
const SEGMENT_OBJECTS = 5_000;
const SEGMENT_MS = 120_000;

/** Escrowed objects retried per cycle. */
const ESCROW_BATCH = 1000;

/** The kind of round an activity input names; cycles started before rounds took Entra's words call an initial round `full`. */
export function roundKindOf(kind: RoundKind | 'full'): RoundKind {
  return kind === 'full' ? 'initial' : kind;
}

/**
 * Replaces objects that carry only changed properties with their full current state (keeping a
 * group's member changes), and keeps one (the last) of objects a page lists twice, so no two
 * reconciles of one object race.
 */
async function complete(ctx: AppContext, kind: ObjectKind, listed: SourceObject[]): Promise<SourceObject[]> {
  const objects = [...new Map(listed.map((o) => [o.id, o])).values()];
  const partial = objects.filter((o) => o.partial && !o.removed);
  if (partial.length === 0) return objects;
  const whole = new Map(
    (
      await kind.readWhole(
        ctx,
        partial.map((o) => o.id),
      )
    ).map((o) => [o.id, o]),
  );
  return objects.flatMap((o) => {
    if (!o.partial || o.removed) return [o];
    const read = whole.get(o.id);
    return read ? [{ ...read, ...(o.memberDelta && { memberDelta: o.memberDelta }) }] : [];
  });
}

/**
 * The pages of one activity's share of a round, read one page ahead so the target never waits
 * for the source: from `link` until the round ends (`end.deltaLink`) or the segment's budget is
 * spent (`end.nextLink`: where the next activity continues).
 */
async function* segment(
  ctx: AppContext,
  kind: ObjectKind,
  round: RoundKind,
  link: string | null,
  first: SourcePage,
  end: { nextLink: string | null; deltaLink: string | null },
): AsyncGenerator<StreamPage> {
  const started = Date.now();
  let objects = 0;
  let current: { link: string | null; page: SourcePage } = { link, page: first };
  for (;;) {
    objects += current.page.objects.length;
    const next = current.page.nextLink;
    const more = next !== undefined && objects < SEGMENT_OBJECTS && Date.now() - started < SEGMENT_MS;
    const ahead = more ? kind.readPage(ctx, next, round) : undefined;
    ahead?.catch(() => {});
    yield { link: current.link, objects: await complete(ctx, kind, current.page.objects) };
    if (next === undefined) {
      end.deltaLink = current.page.deltaLink ?? null;
      return;
    }
    if (!ahead) {
      end.nextLink = next;
      return;
    }
    current = { link: next, page: await ahead };
  }
}

/** How many objects of a page the source still holds and that have no account in the app. */
async function unanchored(env: SyncEnv, ctx: AppContext, kind: ObjectKind, page: SourcePage): Promise<number> {
  const ids = page.objects.filter((o) => !o.removed).map((o) => o.id);
  if (ids.length === 0) return 0;
  const anchors = await env.store.anchors.getMany(ctx.app.id, kind.type, ids);
  return ids.filter((id) => !anchors.has(id) || anchors.get(id)!.state === 'deleted').length;
}

/** A delta round whose link expired or was refused: the workflow starts it again from the start. */
const RESYNC: PageResult = { resync: true, nextLink: null, deltaLink: null, processed: 0 };

/**
 * One segment of a round: from `input.link`, or where the previous try of this activity had
 * recorded everything before.
 */
export async function processPage(env: SyncEnv, input: PageInput, progress: Progress): Promise<PageResult> {
  const ctx = await env.appContext(input.appId);
  const kind = OBJECT_KINDS[input.objectType];
  const round = roundKindOf(input.kind);
  const resumed = progress.resumed.link !== undefined;
  const link = resumed ? progress.resumed.link! : input.link;
  let first: SourcePage;
  try {
    first = await kind.readPage(ctx, link ?? undefined, round);
  } catch (error) {
    if (!(error instanceof ProvisioningError && error.code === 'DeltaTokenExpired')) throw error;
    env.logger.warn({ appId: input.appId, cycleId: input.cycleId }, `the ${kind.noun}s delta link expired; starting an initial round`);
    return RESYNC;
  }
  const scope = await scopeFor(env, ctx, kind, input.cycleId);
  const matching = await matchingForRound(
    env,
    ctx,
    kind,
    { kind: round, cycleId: input.cycleId, unanchored: () => unanchored(env, ctx, kind, first) },
    progress,
  );
  const end: { nextLink: string | null; deltaLink: string | null } = { nextLink: null, deltaLink: null };
  const { processed } = await reconcileObjects(env, ctx, kind, {
    pages: segment(ctx, kind, round, link, first, end),
    skip: resumed ? (progress.resumed.done ?? 0) : 0,
    run: { cycleId: input.cycleId, phase: 'sync' },
    scope,
    progress,
    ...matching,
  });
  return { resync: false, ...end, processed };
}

/**
 * Objects whose retry is due are reconciled again, read whole (a group with its whole
 * membership). One the source no longer returns was deleted there: deprovisioned as soft-deleted.
 */
export async function retryEscrow(env: SyncEnv, appId: string, cycleId: string, progress: Progress): Promise<PhaseResult> {
  const ctx = await env.appContext(appId);
  const due = await env.store.escrow.due(appId, env.now(), ESCROW_BATCH);
  let processed = 0;
  for (const kind of Object.values(OBJECT_KINDS)) {
    const ids = due.filter((e) => e.objectType === kind.type).map((e) => e.sourceId);
    if (ids.length === 0 || !kind.enabled(ctx)) continue;
    const found = new Map((await kind.readWhole(ctx, ids)).map((o) => [o.id, o]));
    const objects = ids.map((id): SourceObject => found.get(id) ?? { id, type: kind.type, attributes: {}, removed: 'changed' });
    const scope = await scopeFor(env, ctx, kind, cycleId);
    const result = await reconcileObjects(env, ctx, kind, {
      objects,
      run: { cycleId, phase: 'escrow' },
      scope,
      progress: partOf(progress, kind.noun),
      ...(await matchingForRetry(env, ctx, kind)),
    });
    processed += result.processed;
  }
  return { processed };
}
