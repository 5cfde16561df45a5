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
export const setIntervalSignal = defineSignal<[minutes: number]>('setInterval');

export const statusQuery = defineQuery<JobStatus>('status');

export interface CycleProgress {
  cycleId: string | null;
  kind: 'initial' | 'incremental' | null;
  processed: number;
  total: number | null;
}
export const progressQuery = defineQuery<CycleProgress>('progress');

export const provisionOnDemandUpdate = defineUpdate<OnDemandResult, [OnDemandRequest]>('provisionOnDemand');

/** A dry run for one object: what provisioning it would do, with nothing written. */
export const previewUpdate = defineUpdate<PreviewResult, [OnDemandRequest]>('preview');
