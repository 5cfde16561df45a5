/**
 * Reconciling objects of one kind: through the stream (bounded concurrency, resume points),
 * each object by its kind's `process`, recorded through the one record path. Every phase of a
 * cycle that reconciles objects comes here, with pages of a round or with an in-memory batch.
 */
import type { DeprovisionGuard, ReconcileContext, ReconcileOutcome, ScopeDecision, TargetIndex } from '../reconcile/index';
import { deprovisionThreshold } from '../config/app';
import type { SourceObject } from '../source/index';
import type { AppContext } from './app-context';
import type { SyncEnv } from './env';
import type { ObjectKind } from './kinds';
import type { Progress } from './progress';
import { recordOutcomes, type Recorded, type Run } from './record';
import { streamObjects, type Processed, type StreamPage } from './stream';

export interface ReconcileInput {
  run: Run;
  scope: (object: SourceObject) => ScopeDecision;
  progress: Progress;
  /** Match against this index of the target instead of one filter query per object. */
  index?: TargetIndex;
  /** The target cannot filter: the index is all there is to match with (see ReconcileContext). */
  indexOnly?: ReconcileContext['indexOnly'];
  /** Told the objects' own outcomes as recorded (an anchor conflict makes an outcome a failure). */
  recorded?: (outcomes: ReconcileOutcome[]) => void;
}

/** The cycle's share of the app's deprovisioning threshold; none when the app sets no limit. */
export function guardFor(env: SyncEnv, ctx: AppContext, cycleId: string): DeprovisionGuard | undefined {
  const threshold = deprovisionThreshold(ctx.app);
  if (threshold === null) return undefined;
  return { threshold, claim: () => env.store.cycles.claimDeprovision(cycleId, threshold) };
}

/** The outcome of an object of a kind the target does not take: logged as skipped, nothing sent. */
function notSupported(object: SourceObject, kind: ObjectKind, scope: ScopeDecision, reason: string): ReconcileOutcome {
  return {
    sourceId: object.id,
    sourceDisplay: typeof object.attributes.displayName === 'string' ? object.attributes.displayName : undefined,
    objectType: kind.type,
    targetId: undefined,
    action: 'Other',
    status: 'Skipped',
    reason,
    changes: [],
    steps: [
      {
        name: 'import',
        status: 'Success',
        detail: object.removed ? `the source reports the object removed (${object.removed})` : 'read the source object',
      },
      { name: 'scoping', status: scope.inScope ? 'Success' : 'Skipped', detail: scope.detail },
      { name: 'processing', status: 'Skipped', detail: reason },
    ],
  };
}

/**
 * Reconciles and records the objects of `pages` (a round's segment, resumed after `skip`
 * objects of its first page) or of one in-memory batch (`objects`, done whole on a retry).
 * Within a cycle deprovisionings claim the app's threshold; outside one (on demand, lifecycle
 * runs) a deliberate request is not limited.
 *
 * @returns how many objects were read, including those a previous try recorded
 */
export async function reconcileObjects(
  env: SyncEnv,
  ctx: AppContext,
  kind: ObjectKind,
  input: ReconcileInput & ({ pages: AsyncIterable<StreamPage>; skip: number } | { objects: SourceObject[] }),
): Promise<{ processed: number }> {
  const { run, scope, progress } = input;
  const batch = ctx.batch(kind.type);
  const guard = run.cycleId === null ? undefined : guardFor(env, ctx, run.cycleId);
  const context = {
    ...batch.context,
    ...(guard && { guard }),
    ...(input.index && { index: input.index }),
    ...(input.indexOnly && { indexOnly: input.indexOnly }),
  };
  const unsupported = kind.unsupported(ctx);
  let warned = false;

  const process = async (object: SourceObject): Promise<Processed> => {
    const decision = scope(object);
    if (unsupported) {
      if (!warned) env.logger.warn({ appId: ctx.app.id, cycleId: run.cycleId }, unsupported);
      warned = true;
      const now = env.now();
      return { records: [{ outcome: notSupported(object, kind, decision, unsupported), startedAt: now, finishedAt: now }] };
    }
    return kind.process({ env, ctx, object, scope: decision, context, before: await batch.context.anchors.get(object.id), run });
  };
  async function* single(objects: SourceObject[]): AsyncGenerator<StreamPage> {
    yield { link: null, objects };
  }
  return streamObjects({
    pages: 'pages' in input ? input.pages : single(input.objects),
    skipInFirstPage: 'pages' in input ? input.skip : 0,
    concurrency: kind.objectsAtOnce(ctx, env.concurrency),
    groupSize: env.groupSize,
    prefetch: (ids) => batch.prefetch(ids),
    process,
    record: async (records: Recorded[]) => {
      const outcomes = await recordOutcomes(env, ctx.app.id, run, records, batch);
      input.recorded?.(outcomes.filter((_, i) => records[i]!.step === undefined));
    },
    onProgress: (point) => progress.beat(point),
    ...(progress.stopped && { shouldStop: progress.stopped }),
  });
}
