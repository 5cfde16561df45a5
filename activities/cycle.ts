/** The cycle and on-demand activities: each loads nothing itself and calls the sync engine. */
import * as sync from '../src/sync/index';
import type { ScimflowActivities, SyncEnv } from '../src/sync/index';
import { activityRequest, failing, withProgress } from './temporal';

export function cycleActivities(env: SyncEnv): ScimflowActivities {
  const processPage: ScimflowActivities['processPage'] = (input) => withProgress((progress) => sync.processPage(env, input, progress));
  return {
    beginCycle: (input) => failing(() => sync.beginCycle(env, input)),
    lastCycleNumber: ({ appId }) => failing(() => env.store.cycles.latestNumber(appId)),
    countSourceObjects: ({ appId, cycleId }) => failing(() => sync.countSourceObjects(env, appId, cycleId)),
    processPage,
    // Cycles started before processPage took the object kind still call these until they end.
    processSourcePage: (input) => processPage({ ...input, objectType: 'user' }),
    processGroupPage: (input) => processPage({ ...input, objectType: 'group' }),
    retryEscrow: ({ appId, cycleId }) => withProgress((progress) => sync.retryEscrow(env, appId, cycleId, progress)),
    reconcileAssignments: ({ appId, cycleId }) => withProgress((progress) => sync.reconcileAssignments(env, appId, cycleId, progress)),
    resolveReferences: ({ appId, cycleId }) => withProgress((progress) => sync.resolveCycleReferences(env, appId, cycleId, progress)),
    finishCycle: (input) => failing(() => sync.finishCycle(env, input)),
    provisionOnDemand: ({ appId, objectId, changeKey }) =>
      failing(() => {
        const request = changeKey ?? activityRequest();
        return sync.provisionOne(env, appId, objectId, { cycleId: null, phase: 'on-demand', ...(request && { request }) });
      }),
    previewObject: ({ appId, objectId }) => failing(() => sync.previewOne(env, appId, objectId)),
  };
}
