/**
 * Signals, queries and updates of scimflow's workflows, defined once and imported by both the
 * workflows and the API.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { OnDemandRequest, OnDemandResult, PreviewResult } from '../src/sync/contract';
import type { JobStatus } from './app-job-state';

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const runNowSignal = defineSignal('runNow');
/** Entra's "allow deletes": the next cycle may deprovision past the threshold; lifts the quarantine. */
export const allowDeletesSignal = defineSignal('allowDeletes');
export const stopSignal = defineSignal('stop');

/** An admin quarantines the job (`QuarantinedByAdmin`): its cycles stop until a resume or restart. */
export const quarantineSignal = defineSignal<[{ detail: string }]>('quarantine');

/** Entra's restart scopes: what a restart clears. `Full` is all of them. */
export type RestartScope = 'Escrows' | 'Watermark' | 'QuarantineState' | 'ForceDeletes' | 'Full';
/**
 * A restart (the API has cleared the escrows and the watermark where asked): lifts the
 * quarantine (`QuarantineState`), lets the next cycle deprovision past the threshold
 * (`ForceDeletes`), and runs a cycle now.
 */
export const restartSignal = defineSignal<[{ scopes: RestartScope[] }]>('restart');
export const setIntervalSignal = defineSignal<[minutes: number]>('setInterval');

export const statusQuery = defineQuery<JobStatus>('status');

/** The part of a cycle running now, in the order a cycle runs them. */
export type CyclePhase = 'begin' | 'users' | 'assignments' | 'escrow' | 'groups' | 'references' | 'finish';

export interface CycleProgress {
  cycleId: string | null;
  kind: 'initial' | 'incremental' | null;
  /** Absent in the progress of cycles that ran before phases were reported. */
  phase?: CyclePhase;
  processed: number;
  total: number | null;
}
export const progressQuery = defineQuery<CycleProgress>('progress');

export const provisionOnDemandUpdate = defineUpdate<OnDemandResult, [OnDemandRequest]>('provisionOnDemand');

/** A dry run for one object: what provisioning it would do, with nothing written. */
export const previewUpdate = defineUpdate<PreviewResult, [OnDemandRequest]>('preview');
