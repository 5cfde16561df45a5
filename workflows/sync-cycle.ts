/**
 * One sync cycle of an app: an initial or incremental round over the users in segments, each
 * reconciled by one batched, heartbeating activity; the assignment changes and the escrowed
 * objects whose retry is due; the groups round; the references; then the watermark. Never one
 * workflow per object.
 */
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { ErrorInfo } from '../src/errors/index';
import type { CycleSummary, ObjectType, PageResult, QuarantineSeries, RoundKind, ScimflowActivities } from '../src/sync/contract';
import { errorInfoOf } from './failures';
import { progressQuery, type CycleProgress } from './definitions';
import { CYCLE_KIND, searchable } from './search-attributes';

const { beginCycle, finishCycle, countSourceObjects } = proxyActivities<ScimflowActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const { processPage, processSourcePage, processGroupPage, retryEscrow, reconcileAssignments, resolveReferences } =
  proxyActivities<ScimflowActivities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '20 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '2 minutes' },
    // A stopped cycle ends once its activity has stopped sending: its end means the traffic ended.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });

/**
 * Versioned changes of this workflow (see README, "Changing a workflow"). Cycles that ran before
 * `processPage` took the object kind keep calling the activity of each kind.
 */
export const PATCHES = { onePageActivity: 'process-page-by-object-type' } as const;

export interface SyncCycleInput {
  appId: string;
  n: number;
  /** An admin allowed this cycle to deprovision past the threshold. */
  forceDeletes?: boolean;
  /** The job is quarantined: this cycle is an attempt to lift it. */
  quarantined?: QuarantineSeries;
}

export async function syncCycle(input: SyncCycleInput): Promise<CycleSummary> {
  const progress: CycleProgress = { cycleId: null, kind: null, phase: 'begin', processed: 0, total: null };
  setHandler(progressQuery, () => progress);
  const onePageActivity = patched(PATCHES.onePageActivity);

  const begun = await beginCycle(input);
  progress.cycleId = begun.cycleId;
  progress.kind = begun.kind;
  if (searchable()) upsertSearchAttributes([{ key: CYCLE_KIND, value: begun.kind }]);
  if (begun.kind === 'initial') progress.total = await countSourceObjects({ appId: input.appId, cycleId: begun.cycleId });

  let error: ErrorInfo | null = null;
  let deltaLink: string | null = null;
  let groups: { deltaLink: string | null; kind: RoundKind } | null = null;
  let stopped = false;
  const page = (objectType: ObjectType) => (kind: RoundKind, link: string | null) => {
    const at = { appId: input.appId, cycleId: begun.cycleId, kind, link };
    if (onePageActivity) return processPage({ ...at, objectType });
    return objectType === 'user' ? processSourcePage(at) : processGroupPage(at);
  };
  try {
    progress.phase = 'users';
    const users = await deltaRound(
      page('user'),
      { kind: begun.kind, link: begun.startLink },
      progress,
      'the source refused a fresh delta round',
    );
    deltaLink = users.deltaLink;
    if (begun.kind === 'incremental') {
      progress.phase = 'assignments';
      const rescoped = await reconcileAssignments({ appId: input.appId, cycleId: begun.cycleId });
      progress.processed += rescoped.processed;
    }
    progress.phase = 'escrow';
    const retried = await retryEscrow({ appId: input.appId, cycleId: begun.cycleId });
    progress.processed += retried.processed;
    // Groups after users, so members provisioned in this cycle are written to their groups now.
    if (begun.groups) {
      progress.phase = 'groups';
      groups = await deltaRound(
        page('group'),
        { kind: begun.groups.kind, link: begun.groups.startLink },
        progress,
        'the source refused a fresh groups delta round',
      );
    }
    // Then the references whose object exists now: members and managers provisioned after their holders.
    if (begun.groups || begun.references) {
      progress.phase = 'references';
      const resolved = await resolveReferences({ appId: input.appId, cycleId: begun.cycleId });
      progress.processed += resolved.processed;
    }
  } catch (cause) {
    stopped = isCancellation(cause);
    error = stopped
      ? { kind: 'transient', code: 'Stopped', message: 'the cycle was stopped: the job was paused or quarantined, or its app deleted' }
      : errorInfoOf(cause);
  }
  progress.phase = 'finish';
  // A stopped cycle still records how it ended.
  return CancellationScope.nonCancellable(() =>
    finishCycle({
      appId: input.appId,
      cycleId: begun.cycleId,
      kind: begun.kind,
      startedAt: begun.startedAt,
      deltaLink,
      groups,
      error,
      quarantined: input.quarantined ?? null,
      ...(stopped && { stopped }),
    }),
  );
}

/**
 * One round, segment by segment (each a `processPage` activity) from the start link to the delta
 * link. An expired link starts an initial round once; a second refusal fails.
 */
async function deltaRound(
  read: (kind: RoundKind, link: string | null) => Promise<PageResult>,
  start: { kind: RoundKind; link: string | null },
  progress: CycleProgress,
  refused: string,
): Promise<{ deltaLink: string | null; kind: RoundKind }> {
  let { kind, link } = start;
  let resyncs = 0;
  for (;;) {
    const page = await read(kind, link);
    if (page.resync) {
      if (++resyncs > 1) throw ApplicationFailure.nonRetryable(refused, 'DeltaTokenExpired');
      kind = 'initial';
      link = null;
      continue;
    }
    progress.processed += page.processed;
    if (progress.total !== null && progress.processed > progress.total) progress.total = progress.processed;
    if (page.nextLink) {
      link = page.nextLink;
      continue;
    }
    return { deltaLink: page.deltaLink, kind };
  }
}
