/**
 * scimflow's Prometheus metrics: one registry per service, injected where outcomes, requests and
 * cycles pass (never a module-level global), so a test reads the same registry the code wrote.
 * Labels are bounded: an app id, an object kind, an action, a status, an HTTP method or status
 * class; never a user, a group or a path.
 *
 * @example
 * const metrics = createMetrics();
 * metrics.objectsProcessed.inc({ app: 'a1', object_kind: 'user', action: 'Create', status: 'Success' });
 * const text = await metrics.registry.metrics(); // the text format for GET /metrics
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What a scrape reads from the store and from Temporal; each returns a value by app id. */
export interface ScrapeSources {
  /** Objects kept in escrow for a retry, by app. */
  escrow(): Promise<Map<string, number>>;
  /** Group members and managers waiting for an account in the target, by app. */
  pendingReferences(): Promise<Map<string, { members: number; managers: number }>>;
  /** Each app's job state (`active`, `paused`, `quarantined`, `disabled`, ...), as the job reports it. */
  appStates(): Promise<Map<string, string>>;
  /** Lifecycle runs by workflow kind and execution state (`running`, `completed`, `failed`, ...). */
  lifecycleRuns(): Promise<{ kind: string; state: string; count: number }[]>;
}

/** Why a SCIM request waited for its target's rate budget: a Retry-After pause, its concurrency limit or its rate. */
export type BudgetWaitReason = 'pause' | 'concurrency' | 'rate';

/** Hooks of a SCIM client (structurally the client's `onRequest` and the budget's `onWait`). */
export interface TargetObserver {
  onRequest: (info: { method: string; status: number | undefined; durationMs: number }) => void;
  onBudgetWait: (reason: BudgetWaitReason, ms: number) => void;
}

/** Hook of a Graph source, for each attempt. */
export interface SourceObserver {
  onRequest: (info: { status: number | undefined; throttled: boolean }) => void;
}

/** The job states a state-set gauge reports, so an app's former state drops to 0 rather than vanishing. */
export const JOB_STATES = ['active', 'paused', 'quarantined', 'disabled', 'failed'] as const;

/** Seconds buckets of a SCIM request: from a quick local answer to the 30 s timeout. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds buckets of a cycle: from an idle incremental one to a large initial sync. */
const CYCLE_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200];

/** `2xx`, `4xx`, ...; `none` when no answer came (timeout, network error). */
export function statusClass(status: number | undefined): string {
  return status === undefined ? 'none' : `${Math.floor(status / 100)}xx`;
}

/** Creates the service's metrics on a fresh registry. */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'scimflow_' });
  const registers = [registry];
  let sources: ScrapeSources | undefined;

  const metrics = {
    registry,
    objectsProcessed: new Counter({
      name: 'scimflow_objects_processed_total',
      help: 'Objects recorded in the provisioning log, by app, object kind, action and status.',
      labelNames: ['app', 'object_kind', 'action', 'status'] as const,
      registers,
    }),
    scimRequests: new Counter({
      name: 'scimflow_scim_requests_total',
      help: 'SCIM request attempts sent to targets, by app, HTTP method and status class (none: no answer).',
      labelNames: ['app', 'method', 'status_class'] as const,
      registers,
    }),
    scimRequestDuration: new Histogram({
      name: 'scimflow_scim_request_duration_seconds',
      help: 'Latency of SCIM request attempts, by app and HTTP method.',
      labelNames: ['app', 'method'] as const,
      buckets: REQUEST_BUCKETS,
      registers,
    }),
    graphRequests: new Counter({
      name: 'scimflow_graph_requests_total',
      help: 'Microsoft Graph request attempts, retries included, by app and status class (none: no answer).',
      labelNames: ['app', 'status_class'] as const,
      registers,
    }),
    graphThrottled: new Counter({
      name: 'scimflow_graph_throttled_total',
      help: 'Microsoft Graph answers that throttled (429, or a Retry-After), by app.',
      labelNames: ['app'] as const,
      registers,
    }),
    rateBudgetWaits: new Counter({
      name: 'scimflow_rate_budget_waits_total',
      help: "Waits of SCIM requests for their target's rate budget, by app and reason (pause: Retry-After; concurrency; rate).",
      labelNames: ['app', 'reason'] as const,
      registers,
    }),
    rateBudgetWaitSeconds: new Counter({
      name: 'scimflow_rate_budget_wait_seconds_total',
      help: "Time SCIM requests spent waiting for their target's rate budget, by app.",
      labelNames: ['app'] as const,
      registers,
    }),
    cycleDuration: new Histogram({
      name: 'scimflow_cycle_duration_seconds',
      help: 'Duration of finished sync cycles, by app, kind (initial, incremental) and state (succeeded, partial, failed).',
      labelNames: ['app', 'kind', 'state'] as const,
      buckets: CYCLE_BUCKETS,
      registers,
    }),
    lastSuccessfulCycle: new Gauge({
      name: 'scimflow_cycle_last_success_timestamp_seconds',
      help: 'When the last sync cycle of an app that succeeded finished (Unix time).',
      labelNames: ['app'] as const,
      registers,
    }),
    /** Reads scrape-time values from these sources from now on (the service sets them once its store and Temporal client exist). */
    scrapeFrom(scrape: ScrapeSources): void {
      sources = scrape;
    },
    /** The hooks of one app's SCIM client: every attempt, and every wait for the target's rate budget. */
    target(app: string): TargetObserver {
      return {
        onRequest: ({ method, status, durationMs }) => {
          metrics.scimRequests.inc({ app, method, status_class: statusClass(status) });
          metrics.scimRequestDuration.observe({ app, method }, durationMs / 1000);
        },
        onBudgetWait: (reason, ms) => {
          metrics.rateBudgetWaits.inc({ app, reason });
          metrics.rateBudgetWaitSeconds.inc({ app }, ms / 1000);
        },
      };
    },
    /** The hook of one app's Graph source: every attempt, retries included. */
    source(app: string): SourceObserver {
      return {
        onRequest: ({ status, throttled }) => {
          metrics.graphRequests.inc({ app, status_class: statusClass(status) });
          if (throttled) metrics.graphThrottled.inc({ app });
        },
      };
    },
  };

  /** A gauge filled at scrape time; when its source fails (the database away) it is left empty and the scrape goes on. */
  const scraped = <L extends string>(
    config: { name: string; help: string; labelNames: readonly L[] },
    fill: (gauge: Gauge<L>, from: ScrapeSources) => Promise<void>,
  ) =>
    new Gauge<L>({
      ...config,
      registers,
      async collect() {
        this.reset();
        if (!sources) return;
        try {
          await fill(this, sources);
        } catch {
          this.reset();
        }
      },
    });

  // Gauges computed at scrape time: a handful of grouped queries, whatever the number of objects.
  scraped(
    { name: 'scimflow_escrow_objects', help: 'Objects kept in escrow for a retry on a later cycle, by app.', labelNames: ['app'] },
    async (gauge, from) => {
      for (const [app, count] of await from.escrow()) gauge.set({ app }, count);
    },
  );
  scraped(
    {
      name: 'scimflow_pending_references',
      help: 'Group members and managers waiting for an account in the target, by app and kind (members, managers).',
      labelNames: ['app', 'kind'],
    },
    async (gauge, from) => {
      for (const [app, { members, managers }] of await from.pendingReferences()) {
        gauge.set({ app, kind: 'members' }, members);
        gauge.set({ app, kind: 'managers' }, managers);
      }
    },
  );
  scraped(
    {
      name: 'scimflow_app_state',
      help: "1 for an app's current job state, 0 for the others (active, paused, quarantined, disabled, failed).",
      labelNames: ['app', 'state'],
    },
    async (gauge, from) => {
      for (const [app, current] of await from.appStates()) {
        for (const state of JOB_STATES) gauge.set({ app, state }, state === current ? 1 : 0);
      }
    },
  );
  scraped(
    {
      name: 'scimflow_lifecycle_runs',
      help: 'Lifecycle runs (joiner, mover, leaver, rehire) known to Temporal, by kind and state (running, completed, failed, ...).',
      labelNames: ['kind', 'state'],
    },
    async (gauge, from) => {
      for (const { kind, state, count } of await from.lifecycleRuns()) gauge.set({ kind, state }, count);
    },
  );
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The metric names a registry exports (histograms by their base name), e.g. to check a dashboard against. */
export async function exportedNames(registry: Registry): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    if (String(metric.type) === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}
