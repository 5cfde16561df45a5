/**
 * The cadence check: an app whose cycles have not succeeded for the rule's number of intervals
 * alerts once, until one succeeds. A job an admin paused or stopped, or one that was disabled,
 * is not expected to succeed and does not alert.
 */
import type { Store } from '../store/index';
import type { Alerter } from './index';
import { cadenceVerdict } from './rules';
import { alertSettings } from './settings';

/** Job states in which no cycle is expected to run. */
const RESTING = new Set(['paused', 'stopped', 'disabled']);

export async function checkCycleCadence(deps: {
  store: Store;
  alerter: Alerter;
  now: () => Date;
  /** The app's job state, when it can be read (a job that cannot be read is checked). */
  jobState?: (appId: string) => Promise<string | undefined>;
}): Promise<{ overdue: number }> {
  let overdue = 0;
  for (const app of await deps.store.apps.list()) {
    const state = await deps.jobState?.(app.id);
    const lastSuccess = await deps.store.cycles.last(app.id, 'succeeded');
    const facts = {
      intervalMinutes: app.schedule.intervalMinutes,
      lastSuccessAt: lastSuccess?.finishedAt ?? null,
      createdAt: app.createdAt,
      now: deps.now().getTime(),
    };
    const { alert } = cadenceVerdict(facts, alertSettings(app), app.displayName);
    if (!alert || (state !== undefined && RESTING.has(state))) {
      await deps.alerter.clear(app.id, 'noSuccessfulCycle');
      continue;
    }
    overdue++;
    const event = {
      type: 'no-successful-cycle',
      appId: app.id,
      reason: alert.reason,
      at: deps.now().toISOString(),
      message: alert.message,
    };
    await deps.alerter.raise({ rule: 'noSuccessfulCycle', condition: alert.condition, event });
  }
  return { overdue };
}
