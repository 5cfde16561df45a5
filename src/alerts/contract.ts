/**
 * The contract between the alert checks workflow and its activities: types only, imported by
 * `workflows/` and `activities/` alike. Only counts cross the workflow history.
 */

/** What one run of the alert checks did. */
export interface AlertChecksResult {
  /** Apps whose last successful cycle is past their `noSuccessfulCycle` threshold. */
  overdue: number;
  delivered: number;
  failed: number;
}

export interface AlertActivities {
  /** Raises `noSuccessfulCycle` for every app without a successful cycle within its threshold (and ends it for the others). */
  checkCycleCadence(): Promise<{ overdue: number }>;
  /** Sends the outbox's due deliveries; the failed ones wait for their next attempt. */
  deliverAlerts(): Promise<{ delivered: number; failed: number }>;
}
