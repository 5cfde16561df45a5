/** The alert activities: the cadence check and the outbox's delivery, over the engine in src/alerts. */
import type { Alerter, AlertDeliverer } from '../src/alerts/index';
import { checkCycleCadence } from '../src/alerts/cadence';
import type { AlertActivities } from '../src/alerts/contract';
import type { Store } from '../src/store/index';

export function alertActivities(deps: {
  store: Store;
  alerter: Alerter;
  deliverer: AlertDeliverer;
  now: () => Date;
  jobState?: (appId: string) => Promise<string | undefined>;
}): AlertActivities {
  return {
    checkCycleCadence: () => checkCycleCadence(deps),
    deliverAlerts: () => deps.deliverer.deliver(),
  };
}
