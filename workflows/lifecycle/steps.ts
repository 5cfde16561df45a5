/**
 * Running one app's step of a lifecycle run inside a workflow: wait until it is due, try it,
 * and on failure try again with growing gaps, with the progress kept current for the query.
 * Every wait is a durable timer that a signal can cut short (`stop`).
 */
import { condition, proxyActivities } from '@temporalio/workflow';
import { errorInfoOf } from '../failures';
import { stepRetryDelayMs } from '../../src/lifecycle/state';
import type { LifecycleActivities, PersonAppResult } from '../../src/lifecycle/contract';
import { failedToRun, isDone, tried, type AppProgress } from './progress';

/** The activities of lifecycle runs: one person in one app, quick; a failed try is retried by the run, visibly. */
export const lifecycle = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 3 },
});

/** Reads and writes of the store (state, apps, alerts): retried until they succeed, a database outage included. */
export const bookkeeping = proxyActivities<LifecycleActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** The longest gap between two tries of one app, for the first hour of trying. */
export const RETRY_CAP_MS = 5 * 60_000;
/**
 * The longest gap after that hour. A target down for days is still tried twice an hour, and the
 * run's history grows by a few hundred events a day per app instead of a few thousand.
 */
export const LONG_RETRY_CAP_MS = 30 * 60_000;
const LONG_AFTER_MS = 3600_000;

/**
 * Waits until `at()` (epoch ms) or until `stop()` holds; true when stopped. A signal that moves
 * `at()` (a new date) wakes the wait, which then waits for the new time.
 */
export async function waitUntil(at: () => number, stop: () => boolean): Promise<boolean> {
  for (;;) {
    if (stop()) return true;
    const target = at();
    const ms = target - Date.now();
    if (ms <= 0) return false;
    await condition(() => stop() || at() !== target, ms);
  }
}

export interface StepOptions {
  /** Stops trying (a cancelled hire, a rehire); the step ends cancelled. */
  stop: () => boolean;
  /** Stops trying after this time (epoch ms); the step ends failed. Absent: until done. */
  giveUpAt?: number;
  /** Whether a result is final; default: success, skip or warning. */
  done?: (result: PersonAppResult) => boolean;
}

/**
 * Tries a step until it is done, stopped or given up, keeping `progress` current. Returns the
 * last result, or undefined when stopped before any result.
 */
export async function untilDone(
  progress: AppProgress,
  attempt: (n: number) => Promise<PersonAppResult>,
  options: StepOptions,
): Promise<PersonAppResult | undefined> {
  const done = options.done ?? isDone;
  const started = Date.now();
  let last: PersonAppResult | undefined;
  for (let n = 1; ; n++) {
    if (options.stop()) {
      progress.state = 'cancelled';
      progress.nextRetryAt = null;
      return last;
    }
    progress.state = 'pending';
    try {
      last = await attempt(n);
    } catch (error) {
      last = failedToRun(progress.appId, errorInfoOf(error));
    }
    if (done(last)) {
      tried(progress, last, true, null);
      return last;
    }
    const next = Date.now() + stepRetryDelayMs(n, Date.now() - started < LONG_AFTER_MS ? RETRY_CAP_MS : LONG_RETRY_CAP_MS);
    if (options.giveUpAt !== undefined && next > options.giveUpAt) {
      tried(progress, last, false, null);
      return last;
    }
    tried(progress, last, false, next);
    await condition(options.stop, next - Date.now());
  }
}
