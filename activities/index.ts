/**
 * scimflow's activities: thin functions over the sync engine in src/sync. Each loads its app by
 * id (secrets never travel through workflow history), works idempotently, and reports errors as
 * Temporal ApplicationFailures carrying the error's kind, code and the peer's own message.
 */
import { createAlertDeliverer, type AlertDeliverer, type Alerter } from '../src/alerts/index';
import type { AlertActivities } from '../src/alerts/contract';
import type { PeopleDirectory } from '../src/graph/index';
import type { LifecycleActivities } from '../src/lifecycle/contract';
import type { RetentionActivities } from '../src/retention/contract';
import type { Logger } from '../src/log/index';
import type { Store } from '../src/store/index';
import type { Metrics } from '../src/metrics/index';
import { createSyncEnv, type ClientFactories, type ScimflowActivities } from '../src/sync/index';
import { cycleActivities } from './cycle';
import { lifecycleActivities, type DeliverEvent } from './lifecycle';
import { retentionActivities } from './retention';
import { alertActivities } from './alerts';
import { discoveryActivities } from './discovery';
import type { DiscoveryActivities } from '../src/discovery/contract';

export interface ActivityDeps {
  store: Store;
  clients: ClientFactories;
  logger: Logger;
  /** Requests an app has in flight against its target at most. */
  concurrency?: number;
  /** Raises alerts (recorded in the store and logged only, when absent). */
  alerter?: Alerter;
  /** Sends the alert outbox's deliveries over the configured channels (none, when absent). */
  deliverer?: AlertDeliverer;
  /** An app's job state, for the alert checks (a paused job does not alert for want of cycles). */
  jobState?: (appId: string) => Promise<string | undefined>;
  /** Objects whose outcomes are recorded together. */
  groupSize?: number;
  /** Where employee ids are looked up; default: the tenant of the oldest app. */
  directory?: () => Promise<PeopleDirectory | undefined>;
  now?: () => Date;
  /** Carries out a pending lifecycle event once its person is known: the intake's, over the Temporal client. */
  deliverEvent?: DeliverEvent;
  /** The service's metrics (outcomes, SCIM and Graph requests, cycles). */
  metrics?: Metrics;
}

/** Every activity of the worker, cycle, on-demand, lifecycle, retention, alerts and account discovery, over one engine environment. */
export function createActivities(
  deps: ActivityDeps,
): ScimflowActivities & LifecycleActivities & RetentionActivities & AlertActivities & DiscoveryActivities {
  const env = createSyncEnv(deps);
  return {
    ...cycleActivities(env),
    ...lifecycleActivities(env, {
      ...(deps.directory && { directory: deps.directory }),
      ...(deps.deliverEvent && { deliverEvent: deps.deliverEvent }),
    }),
    ...retentionActivities(deps),
    ...discoveryActivities(env),
    ...alertActivities({
      store: deps.store,
      alerter: env.alerter,
      deliverer: deps.deliverer ?? createAlertDeliverer({ store: deps.store, channels: [], logger: deps.logger }),
      now: env.now,
      ...(deps.jobState && { jobState: deps.jobState }),
    }),
  };
}

export { toFailure } from './temporal';
export { realClients, type ClientOptions } from './clients';
export type { ClientFactories } from '../src/sync/index';
