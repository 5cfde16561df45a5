/**
 * The contract between the retention workflow and its activity: types only, imported by
 * `workflows/` and `activities/` alike. It crosses the workflow history: log names, days,
 * times and counts.
 */
import type { RetainedLog } from '../store/retention';

/** One log and how many days its entries are kept. */
export interface LogRetention {
  log: RetainedLog;
  days: number;
}

/** What a purge run is told: every retained log with its days. */
export interface PurgeLogsInput {
  logs: LogRetention[];
}

/** What a purge run did, per log: the cut-off and how many entries went. */
export interface PurgeLogsResult {
  logs: { log: RetainedLog; before: string; deleted: number }[];
}

export interface RetentionActivities {
  /** Deletes the entries of `log` recorded before `before` in bounded batches, heartbeating after each. */
  purgeLog(input: { log: RetainedLog; before: string }): Promise<{ deleted: number }>;
}
