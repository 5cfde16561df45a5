/**
 * The sync engine: one engine for users and groups, described per object kind (kinds.ts). Each
 * object flows source page → scope → reconcile (map, plan, apply) → its kind's next step (a
 * group's members) → the one record path (log, anchors, escrow). The activities in
 * `activities/` load nothing but call these functions.
 */
export type * from './contract';
export { createAppContexts, profileOf, PERSON_LEFT, type AnchorBatch, type AppContext } from './app-context';
export { createSyncEnv, type SyncEnv, type SyncEnvOptions } from './env';
export type { ClientFactories, DirectorySource, TargetClient } from './ports';
export { partOf, Stopped, untracked, type Progress, type ResumePoint } from './progress';
export { changeId, escrowed, logEntryOf, recordOutcomes, type Recorded, type Run } from './record';
export { GROUPS, OBJECT_KINDS, USERS, type ObjectKind } from './kinds';
export { processPage, retryEscrow, roundKindOf } from './rounds';
export { beginCycle, countSourceObjects, finishCycle, reconcileAssignments, resolveCycleReferences } from './cycle';
export { deprovisionPerson, previewOne, provisionDisabled, provisionOne, type PersonStep } from './one-object';
export { errorWithPeer, isPeerAway, recordAppError } from './app-errors';
