/**
 * What the sync engine runs with: the store, the apps' contexts, the clock, its bounds, and the
 * values it reads once per cycle and worker. One per worker process.
 */
import { createAlerter, type Alerter } from '../alerts/index';
import type { AssignedVia } from '../graph/index';
import type { Logger } from '../log/index';
import type { Metrics } from '../metrics/index';
import type { TargetIndex } from '../reconcile/index';
import type { ObjectType } from '../source/index';
import type { Store } from '../store/index';
import { createAppContexts, type AppContext } from './app-context';
import { cycleCache, type CycleCache } from './cycle-cache';
import type { ClientFactories } from './ports';
import { createTargetIndexes, type TargetIndexes } from './target-indexes';

export interface SyncEnv {
  store: Store;
  logger: Logger;
  alerter: Alerter;
  now: () => Date;
  /** Requests an app has in flight against its target at most (more objects at once with Bulk). */
  concurrency: number;
  /** Outcomes recorded together: log entries in one statement, then anchors in one, then escrow. */
  groupSize: number;
  /** The app's configuration, clients and reconcile contexts, by app id (cached per app version). */
  appContext(appId: string): Promise<AppContext>;
  perCycle: PerCycle;
  /** The targets' indexes this worker keeps between cycles, by app and object kind. */
  targetIndexes: TargetIndexes;
  /** The service's metrics; absent in tests that do not read them. */
  metrics?: Metrics;
}

/**
 * Values read once per cycle, object kind and worker, again after a restart: the target listing
 * an initial round matches against, the ids assigned to the app, and the groups whose whole
 * membership the cycle has compared (Graph repeats a large group on several pages of a round).
 */
export interface PerCycle {
  index: CycleCache<TargetIndex | undefined>;
  assigned: CycleCache<Map<string, AssignedVia>>;
  compared: CycleCache<Set<string>>;
  forget(cycleId: string): void;
}

/** The key of a cycle's value for one object kind. */
export const cycleKey = (cycleId: string, objectType: ObjectType): string => `${cycleId}:${objectType}`;

export interface SyncEnvOptions {
  store: Store;
  clients: ClientFactories;
  logger: Logger;
  alerter?: Alerter;
  concurrency?: number;
  groupSize?: number;
  now?: () => Date;
  metrics?: Metrics;
}

export function createSyncEnv(options: SyncEnvOptions): SyncEnv {
  const perCycle: PerCycle = {
    index: cycleCache(8),
    assigned: cycleCache(64),
    compared: cycleCache(64),
    forget(cycleId) {
      for (const type of ['user', 'group'] as const) {
        for (const cache of [perCycle.index, perCycle.assigned, perCycle.compared]) cache.delete(cycleKey(cycleId, type));
      }
    },
  };
  return {
    store: options.store,
    logger: options.logger,
    alerter: options.alerter ?? createAlerter({ store: options.store, logger: options.logger }),
    now: options.now ?? (() => new Date()),
    concurrency: options.concurrency ?? 8,
    groupSize: options.groupSize ?? 200,
    appContext: createAppContexts(options.store, options.clients, options.metrics),
    perCycle,
    targetIndexes: createTargetIndexes(),
    ...(options.metrics && { metrics: options.metrics }),
  };
}
