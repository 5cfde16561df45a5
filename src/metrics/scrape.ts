/**
 * What a scrape reads: counts from the store (one grouped query each), each app's job state (one
 * Temporal query per app, at most {@link STATE_QUERIES_AT_ONCE} at once and each bounded in time)
 * and lifecycle runs from Temporal's visibility (one count per kind).
 */
import pMap from 'p-map';
import type { Store } from '../store/index';
import type { ScrapeSources } from './index';

/** The lifecycle workflow types, as `scimflow_lifecycle_runs` names their kind. */
export const LIFECYCLE_KINDS = ['joiner', 'mover', 'leaver', 'rehire'] as const;
const STATE_QUERIES_AT_ONCE = 8;
/** The longest one app's state query may take in a scrape; a job that does not answer is left out. */
const STATE_QUERY_TIMEOUT_MS = 1500;

export interface ScrapeDeps {
  store: Pick<Store, 'apps' | 'escrow' | 'references' | 'groupMembers'>;
  /** The job's state; undefined when no job runs. */
  jobState(appId: string): Promise<string | undefined>;
  /** Temporal's count of workflow executions matching a visibility query, grouped by execution status. */
  countWorkflows(query: string): Promise<{ count: number; groups: { count: number; groupValues: unknown[] }[] }>;
  taskQueue: string;
}

function within<T>(ms: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** `Running` → `running`, `ContinuedAsNew` → `continued_as_new`. */
function stateName(status: unknown): string {
  return String(status)
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

export function scrapeSources(deps: ScrapeDeps): ScrapeSources {
  const appIds = async () => (await deps.store.apps.list()).map((app) => app.id);
  return {
    async escrow() {
      const counts = await deps.store.escrow.countByApp();
      return new Map((await appIds()).map((id) => [id, counts.get(id) ?? 0]));
    },
    async pendingReferences() {
      const [members, managers, ids] = await Promise.all([
        deps.store.groupMembers.countPendingByApp(),
        deps.store.references.countByApp(),
        appIds(),
      ]);
      return new Map(ids.map((id) => [id, { members: members.get(id) ?? 0, managers: managers.get(id) ?? 0 }]));
    },
    async appStates() {
      const states = new Map<string, string>();
      await pMap(
        await appIds(),
        async (id) => {
          const state = await within(STATE_QUERY_TIMEOUT_MS, deps.jobState(id)).catch(() => undefined);
          if (state !== undefined) states.set(id, state);
        },
        { concurrency: STATE_QUERIES_AT_ONCE },
      );
      return states;
    },
    async lifecycleRuns() {
      const runs: { kind: string; state: string; count: number }[] = [];
      for (const kind of LIFECYCLE_KINDS) {
        const counted = await deps.countWorkflows(
          `TaskQueue = '${deps.taskQueue.replace(/'/g, "''")}' AND WorkflowType = '${kind}' GROUP BY ExecutionStatus`,
        );
        for (const group of counted.groups) runs.push({ kind, state: stateName(group.groupValues[0]), count: group.count });
      }
      return runs;
    },
  };
}
