/**
 * The contract between the cycle workflows and their activities: inputs, results and the
 * activity signatures. Types only, imported by `workflows/` and `activities/` alike, so neither
 * imports the other. Everything here crosses the workflow history: ids, links and counts, never
 * a secret and never a whole source page.
 */
import type { ErrorInfo } from '../errors/index';
import type { QuarantineReason } from '../quarantine/rules';
import type { ReconcileOutcome } from '../reconcile/index';
import type { ObjectType } from '../source/index';
import type { CycleCounts, CycleKind } from '../store/index';

export type { CycleCounts, CycleKind, ObjectType, QuarantineReason };

/**
 * How a round reads its objects, in Entra's words as for cycles: `initial` reads every object
 * (a delta round from the start) and compares every group's whole membership; `incremental`
 * follows the stored delta link and applies what changed.
 */
export type RoundKind = 'initial' | 'incremental';

/** What a cycle did, as the app's job keeps it. */
export interface CycleSummary {
  id: string;
  kind: CycleKind;
  /** `failed`: the cycle ended early, or every object it touched failed; `partial`: some failed. */
  state: 'succeeded' | 'partial' | 'failed';
  startedAt: string;
  finishedAt: string;
  /** Counted from the cycle's provisioning-log entries. */
  counts: CycleCounts;
  /** Deprovisionings held back past the app's threshold (also counted as skipped). */
  staged?: number;
  error?: string;
  /**
   * The cycle quarantines the job, and why; with `disable`, the job's quarantine has lasted past
   * the app's limit and the job is disabled (its escrows are dropped). Absent in summaries of
   * cycles that ran before verdicts: there `staged` alone quarantines.
   */
  quarantine?: { reason: QuarantineReason; detail: string; disable?: boolean } | null;
}

/** The job's quarantine as a cycle needs to know it: whether it is an attempt, and since when the series runs. */
export interface QuarantineSeries {
  reason: QuarantineReason;
  /** ISO time the series of quarantines began. */
  seriesBegan: string;
}

export interface BeginCycleInput {
  appId: string;
  n: number;
  /** An admin allowed this cycle to deprovision past the threshold. */
  forceDeletes?: boolean;
}

/** A round of one object kind: how it reads, and the link it starts from (null: from the start). */
export interface Round {
  kind: RoundKind;
  startLink: string | null;
}

export interface BeginCycleResult {
  cycleId: string;
  kind: CycleKind;
  startedAt: string;
  /** The stored delta link an incremental cycle starts from; null for an initial round. */
  startLink: string | null;
  /** The groups round of this cycle, when the app provisions groups. */
  groups?: Round | null;
  /** The app has references to resolve at the end of the cycle (group members, managers). */
  references?: boolean;
}

/** A segment of a round: from `link` (null: the round's first page) as far as one activity goes. */
export interface PageInput {
  appId: string;
  cycleId: string;
  objectType: ObjectType;
  kind: RoundKind;
  link: string | null;
}

/** The input of the activities that read one kind each, from before `processPage` took the kind. */
export type LegacyPageInput = Omit<PageInput, 'objectType'>;

export interface PageResult {
  /** The delta link was expired or refused: start an initial round again. */
  resync: boolean;
  /** Where the next segment continues; null at the end of the round. */
  nextLink: string | null;
  /** The link the next incremental round starts from, at the end of the round. */
  deltaLink: string | null;
  /** Objects of the pages read. */
  processed: number;
}

/** Names a cycle of an app, for the phases that follow its rounds. */
export interface CyclePhaseInput {
  appId: string;
  cycleId: string;
}

export interface PhaseResult {
  processed: number;
}

export interface FinishCycleInput {
  appId: string;
  cycleId: string;
  kind: CycleKind;
  startedAt: string;
  /** The users' delta link to start the next incremental cycle from, when the round completed. */
  deltaLink: string | null;
  /** The groups round, when it completed: its delta link and kind. */
  groups?: { deltaLink: string | null; kind: RoundKind } | null;
  error: ErrorInfo | null;
  /** The job's quarantine when this cycle is an attempt to lift it. */
  quarantined?: QuarantineSeries | null;
  /** The cycle was stopped (the job paused or quarantined, the app deleted): it failed, and quarantines nothing. */
  stopped?: boolean;
}

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

/** The cycle and on-demand activities, as workflows see them (type-only import). */
export interface ScimflowActivities {
  beginCycle(input: BeginCycleInput): Promise<BeginCycleResult>;
  /** One segment of a round of users or groups: read, reconciled, recorded (groups with their members). */
  processPage(input: PageInput): Promise<PageResult>;
  /** `processPage` for users, as cycles started before it took the object kind call it. */
  processSourcePage(input: LegacyPageInput): Promise<PageResult>;
  /** `processPage` for groups, as cycles started before it took the object kind call it. */
  processGroupPage(input: LegacyPageInput): Promise<PageResult>;
  retryEscrow(input: CyclePhaseInput): Promise<PhaseResult>;
  /** App-role changes, and for apps scoped to assigned users the users assigned or unassigned since the last round. */
  reconcileAssignments(input: CyclePhaseInput): Promise<PhaseResult>;
  /**
   * The end of a cycle: groups assigned or unassigned since the last round, then pending
   * references that can be written now (group members and managers provisioned since).
   */
  resolveReferences(input: CyclePhaseInput): Promise<PhaseResult & { resolved: number }>;
  finishCycle(input: FinishCycleInput): Promise<CycleSummary>;
  /** `changeKey`: names the log entries when the caller has a stable name for the request (a lifecycle run's try), so a retry logs once. */
  provisionOnDemand(input: OnDemandRequest & { appId: string; changeKey?: string }): Promise<OnDemandResult>;
  /** A dry run: nothing is written to the target, the anchors or the log. */
  previewObject(input: OnDemandRequest & { appId: string }): Promise<PreviewResult>;
  countSourceObjects(input: CyclePhaseInput): Promise<number | null>;
  /** The highest cycle number the app has used, so a restarted job continues the numbering. */
  lastCycleNumber(input: { appId: string }): Promise<number>;
}
