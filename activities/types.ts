/**
 * Inputs and results of scimflow's activities. They cross the workflow history, so they hold
 * ids, links and counts only: never a secret, never a whole source page.
 */
import type { ErrorInfo } from '../src/errors/index';
import type { ReconcileOutcome } from '../src/reconcile/index';
import type { CycleCounts, CycleKind, CycleSummary } from '../workflows/app-job-state';
import type { GroupRoundKind } from './group-sync';

export interface BeginCycleInput {
  appId: string;
  n: number;
  /** An admin allowed this cycle to deprovision past the threshold. */
  forceDeletes?: boolean;
}

export interface BeginCycleResult {
  cycleId: string;
  kind: CycleKind;
  startedAt: string;
  /** The stored delta link an incremental cycle starts from; null for a full (initial) round. */
  startLink: string | null;
  /** The groups round of this cycle, when the app provisions groups. */
  groups?: { kind: GroupRoundKind; startLink: string | null } | null;
  /** The app has references to resolve at the end of the cycle (group members, managers). */
  references?: boolean;
}

export interface GroupPageInput {
  appId: string;
  cycleId: string;
  kind: GroupRoundKind;
  /** The page to read: null for the first page of a full round, else a next or delta link. */
  link: string | null;
}

export interface SourcePageInput {
  appId: string;
  cycleId: string;
  kind: CycleKind;
  /** The page to read: null for the first page of a full round, else a next or delta link. */
  link: string | null;
}

export interface SourcePageResult {
  /** The delta link was expired or refused: start a full round again. */
  resync: boolean;
  nextLink: string | null;
  deltaLink: string | null;
  processed: number;
  counts: CycleCounts;
}

/** Names a cycle of an app, for the phases that follow its source pages. */
export interface CyclePhaseInput {
  appId: string;
  cycleId: string;
}

export interface FinishCycleInput {
  appId: string;
  cycleId: string;
  kind: CycleKind;
  startedAt: string;
  /** The delta link to start the next incremental cycle from, when the round completed. */
  deltaLink: string | null;
  /** The groups round, when it completed: its delta link and kind. */
  groups?: { deltaLink: string | null; kind: GroupRoundKind } | null;
  error: ErrorInfo | null;
}

export type FinishCycleResult = CycleSummary;

export interface OnDemandRequest {
  objectId: string;
}

export interface OnDemandResult {
  objectId: string;
  outcome: Omit<ReconcileOutcome, 'objectType'> | null;
  /** Steps Entra shows for provision on demand: import, scoping, matching, processing, export. */
  steps: ReconcileOutcome['steps'];
  status: ReconcileOutcome['status'];
  error?: ErrorInfo;
}

/** What a dry run of one object shows: the scope decision, the match, the action and the exact request. */
export interface PreviewResult {
  objectId: string;
  found: boolean;
  source: Record<string, unknown> | null;
  scope: { inScope: boolean; detail: string; groups?: unknown[] } | null;
  outcome: Omit<ReconcileOutcome, 'objectType'> | null;
  steps: ReconcileOutcome['steps'];
  error: ErrorInfo | null;
}

/** The activity functions, as workflows see them (type-only import). */
export interface ScimflowActivities {
  beginCycle(input: BeginCycleInput): Promise<BeginCycleResult>;
  processSourcePage(input: SourcePageInput): Promise<SourcePageResult>;
  retryEscrow(input: CyclePhaseInput): Promise<{ processed: number; counts: CycleCounts }>;
  /** For apps scoped to assigned users: provisions newly assigned users and deprovisions unassigned ones. */
  reconcileAssignments(input: CyclePhaseInput): Promise<{ processed: number; counts: CycleCounts }>;
  finishCycle(input: FinishCycleInput): Promise<FinishCycleResult>;
  /** One segment of a groups round: groups reconciled, then their memberships. */
  processGroupPage(input: GroupPageInput): Promise<SourcePageResult>;
  /**
   * The end of a cycle: groups assigned or unassigned since the last round, then pending
   * references that can be written now (group members and managers provisioned since).
   */
  resolveReferences(input: CyclePhaseInput): Promise<{ processed: number; resolved: number }>;
  /** `changeId`: the log entry's id when the caller has a stable one (a lifecycle run's try), so a retry logs once. */
  provisionOnDemand(input: OnDemandRequest & { appId: string; changeId?: string }): Promise<OnDemandResult>;
  /** A dry run: nothing is written to the target, the anchors or the log. */
  previewObject(input: OnDemandRequest & { appId: string }): Promise<PreviewResult>;
  countSourceObjects(input: CyclePhaseInput): Promise<number | null>;
  /** The highest cycle number the app has used, so a restarted job continues the numbering. */
  lastCycleNumber(input: { appId: string }): Promise<number>;
}
