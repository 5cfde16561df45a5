/** The cycle and on-demand activities: each loads nothing itself and calls the sync engine. */
import * as sync from '../src/sync/index';
import type { Progress, ScimflowActivities, SyncEnv } from '../src/sync/index';
import { activityRequest, failing, forApp, withProgress } from './temporal';

export function cycleActivities(env: SyncEnv): ScimflowActivities {
  /** The work of a cycle's phase: progress as the heartbeat, failures bounded and recorded as the app's last error. */
  const phase = <T>(at: { appId: string; cycleId: string }, work: (progress: Progress) => Promise<T>) =>
    forApp(env, at, () => withProgress(work));
  const processPage: ScimflowActivities['processPage'] = (input) => phase(input, (progress) => sync.processPage(env, input, progress));
  return {
    beginCycle: (input) => failing(() => sync.beginCycle(env, input)),
    lastCycleNumber: ({ appId }) => failing(() => env.store.cycles.latestNumber(appId)),
    countSourceObjects: ({ appId, cycleId }) => failing(() => sync.countSourceObjects(env, appId, cycleId)),
    processPage,
    // Cycles started before processPage took the object kind still call these until they end.
    processSourcePage: (input) => processPage({ ...input, objectType: 'user' }),
    processGroupPage: (input) => processPage({ ...input, objectType: 'group' }),
    retryEscrow: (at) => phase(at, (progress) => sync.retryEscrow(env, at.appId, at.cycleId, progress)),
    reconcileAssignments: (at) => phase(at, (progress) => sync.reconcileAssignments(env, at.appId, at.cycleId, progress)),
    resolveReferences: (at) => phase(at, (progress) => sync.resolveCycleReferences(env, at.appId, at.cycleId, progress)),
    finishCycle: (input) => failing(() => sync.finishCycle(env, input)),
    provisionOnDemand: ({ appId, objectId, changeKey }) =>
      failing(() => {
        const request = changeKey ?? activityRequest();
        return sync.provisionOne(env, appId, objectId, { cycleId: null, phase: 'on-demand', ...(request && { request }) });
      }),
    previewObject: ({ appId, objectId }) => failing(() => sync.previewOne(env, appId, objectId)),
  };
}
