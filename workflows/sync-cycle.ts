/**
 * One sync cycle of an app: a full (initial) or delta (incremental) pass over the source in
 * pages, each page reconciled by one batched, heartbeating activity; then the escrowed objects
 * whose retry is due; then the watermark. Never one workflow per object.
 */
import { ApplicationFailure, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { ErrorInfo } from '../src/errors/index';
import type { GroupRoundKind } from '../activities/group-sync';
import { errorInfoOf } from './failures';
import type { ScimflowActivities, SourcePageResult } from '../activities/types';
import type { CycleSummary } from './app-job-state';
import { progressQuery, type CycleProgress } from './definitions';
import { CYCLE_KIND } from './search-attributes';

const { beginCycle, finishCycle, countSourceObjects } = proxyActivities<ScimflowActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const { processSourcePage, retryEscrow, reconcileAssignments, processGroupPage, resolveReferences } = proxyActivities<ScimflowActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '2 minutes' },
});

export interface SyncCycleInput {
  appId: string;
  n: number;
  /** An admin allowed this cycle to deprovision past the threshold. */
  forceDeletes?: boolean;
}

export async function syncCycle(input: SyncCycleInput): Promise<CycleSummary> {
  const progress: CycleProgress = { cycleId: null, kind: null, processed: 0, total: null };
  setHandler(progressQuery, () => progress);

  const begun = await beginCycle(input);
  progress.cycleId = begun.cycleId;
  progress.kind = begun.kind;
  upsertSearchAttributes([{ key: CYCLE_KIND, value: begun.kind }]);
  if (begun.kind === 'initial') progress.total = await countSourceObjects({ appId: input.appId, cycleId: begun.cycleId });

  let error: ErrorInfo | null = null;
  let deltaLink: string | null = null;
  let groups: { deltaLink: string | null; kind: GroupRoundKind } | null = null;
  try {
    const users = await deltaRound(
      (kind, link) => processSourcePage({ appId: input.appId, cycleId: begun.cycleId, kind, link }),
      { kind: begun.kind, link: begun.startLink, kindAfterResync: begun.kind },
      progress,
      'the source refused a fresh delta round',
    );
    deltaLink = users.deltaLink;
    if (begun.kind === 'incremental') {
      const rescoped = await reconcileAssignments({ appId: input.appId, cycleId: begun.cycleId });
      progress.processed += rescoped.processed;
    }
    const retried = await retryEscrow({ appId: input.appId, cycleId: begun.cycleId });
    progress.processed += retried.processed;
    // Groups after users, so members provisioned in this cycle are written to their groups now.
    if (begun.groups) {
      groups = await deltaRound(
        (kind, link) => processGroupPage({ appId: input.appId, cycleId: begun.cycleId, kind, link }),
        { kind: begun.groups.kind, link: begun.groups.startLink, kindAfterResync: 'full' },
        progress,
        'the source refused a fresh groups delta round',
      );
    }
    // Then the references whose object exists now: members and managers provisioned after their holders.
    if (begun.groups || begun.references) {
      const resolved = await resolveReferences({ appId: input.appId, cycleId: begun.cycleId });
      progress.processed += resolved.processed;
    }
  } catch (cause) {
    error = errorInfoOf(cause);
  }
  return finishCycle({
    appId: input.appId,
    cycleId: begun.cycleId,
    kind: begun.kind,
    startedAt: begun.startedAt,
    deltaLink,
    groups,
    error,
  });
}

/**
 * One source round, page by page (each page a segment activity) from the start link to the delta
 * link. An expired link starts a full round once (`kindAfterResync`); a second refusal fails.
 */
async function deltaRound<K extends string>(
  read: (kind: K, link: string | null) => Promise<SourcePageResult>,
  start: { kind: K; link: string | null; kindAfterResync: K },
  progress: CycleProgress,
  refused: string,
): Promise<{ deltaLink: string | null; kind: K }> {
  let { kind, link } = start;
  let resyncs = 0;
  for (;;) {
    const page = await read(kind, link);
    if (page.resync) {
      if (++resyncs > 1) throw ApplicationFailure.nonRetryable(refused, 'DeltaTokenExpired');
      kind = start.kindAfterResync;
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
