/**
 * scimflow's activities: thin functions over the domain code in src/. Each one loads its app by
 * id (secrets never travel through workflow history), works idempotently, and reports errors as
 * Temporal ApplicationFailures carrying the error's kind, code and the peer's own message.
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import pMap from 'p-map';
import { ProvisioningError, toErrorInfo } from '../src/errors/index';
import type { Logger } from '../src/log/index';
import { reconcileObject, TargetIndex, type DeprovisionGuard, type ReconcileOutcome, type ScopeDecision } from '../src/reconcile/index';
import { createAlerter, type Alerter } from '../src/alerts/index';
import { deprovisionThreshold } from '../src/config/app';
import type { SourceObject } from '../src/source/index';
import { countKey, type ProvisioningLogInput, type Store } from '../src/store/index';
import type { CycleCounts } from '../workflows/app-job-state';
import { createAppContexts, type AppContext } from './app-context';
import type { ClientFactories } from './ports';
import type { ScimflowActivities, SourcePageResult } from './types';

export interface ActivityDeps {
  store: Store;
  clients: ClientFactories;
  logger: Logger;
  /** Objects of one page reconciled at the same time (the per-app bound on target requests). */
  concurrency?: number;
  /** Where quarantine alerts go (logged only when absent). */
  alerter?: Alerter;
  /** Objects whose results are saved (log, escrow, heartbeat) together. */
  chunkSize?: number;
  now?: () => Date;
}

/** Users asked for per listing request when indexing a target (servers may answer with fewer). */
const INDEX_PAGE_SIZE = 1000;

interface Heartbeat {
  /** What the previous attempt of this activity last reported. */
  resumed: { done?: number };
  beat(detail: object): void;
}

/**
 * Runs `work` while heartbeating its latest progress every few seconds, so a slow target does
 * not look like a dead worker and a killed worker is noticed within the heartbeat timeout.
 */
async function withHeartbeat<T>(work: (heartbeat: Heartbeat) => Promise<T>): Promise<T> {
  const activity = Context.current();
  let latest: object = (activity.info.heartbeatDetails as object | undefined) ?? {};
  const heartbeat: Heartbeat = {
    resumed: { ...(latest as { done?: number }) },
    beat(detail) {
      latest = { ...latest, ...detail };
      activity.heartbeat(latest);
    },
  };
  const timer = setInterval(() => activity.heartbeat(latest), 5_000);
  try {
    return await work(heartbeat);
  } finally {
    clearInterval(timer);
  }
}

const EMPTY_COUNTS: CycleCounts = { created: 0, updated: 0, disabled: 0, deleted: 0, skipped: 0, failed: 0 };

function addCount(counts: CycleCounts, outcome: ReconcileOutcome): CycleCounts {
  const key = countKey(outcome.action, outcome.status);
  return { ...counts, [key]: counts[key] + 1 };
}

/** A ProvisioningError as a Temporal failure: configuration and permanent errors are not retried. */
export function toFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const info = toErrorInfo(error);
  const retryAfterMs = error instanceof ProvisioningError ? error.retryAfterMs : undefined;
  return ApplicationFailure.create({
    message: info.detail ? `${info.message}: ${info.detail}` : info.message,
    type: info.code,
    nonRetryable: info.kind === 'configuration' || info.kind === 'permanent',
    details: [info],
    ...(retryAfterMs !== undefined && { nextRetryDelay: retryAfterMs }),
  });
}

async function failing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toFailure(error);
  }
}

export function createActivities(deps: ActivityDeps): ScimflowActivities {
  const { store, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const concurrency = deps.concurrency ?? 8;
  const chunkSize = deps.chunkSize ?? 50;
  const appContext = createAppContexts(store, deps.clients);
  const alerter = deps.alerter ?? createAlerter({ logger });
  const indexByCycle = new Map<string, Promise<TargetIndex | undefined>>();
  /** Assigned-user sets per cycle: computed once per cycle and worker, recomputed after a restart. */
  const assignedByCycle = new Map<string, Promise<Set<string>>>();

  async function scopeOf(ctx: AppContext, cycleKey: string): Promise<(source: SourceObject) => ScopeDecision> {
    const { scope, servicePrincipalId } = ctx.app.source;
    if (scope === 'all' || !servicePrincipalId) return () => ({ inScope: true, detail: 'the app provisions all users' });
    let assigned = assignedByCycle.get(cycleKey);
    if (!assigned) {
      assigned = ctx.source.assignedUserIds(servicePrincipalId);
      assignedByCycle.set(cycleKey, assigned);
      assigned.catch(() => assignedByCycle.delete(cycleKey));
      if (assignedByCycle.size > 64) assignedByCycle.delete(assignedByCycle.keys().next().value!);
    }
    const ids = await assigned;
    return (source) =>
      ids.has(source.id)
        ? { inScope: true, detail: `assigned to service principal ${servicePrincipalId}` }
        : { inScope: false, detail: `not assigned to service principal ${servicePrincipalId}, directly or through a group` };
  }

  /**
   * An index of the target's users for an initial cycle: one paged listing instead of a filter
   * query per object. Built once per cycle and worker. A retried activity matches with filter
   * queries instead, so an account created by an attempt that died is always found.
   */
  async function targetIndexFor(ctx: AppContext, cycleId: string, progress: (detail: object) => void): Promise<TargetIndex | undefined> {
    if (Context.current().info.attempt > 1) return undefined;
    let index = indexByCycle.get(cycleId);
    if (!index) {
      index = buildTargetIndex(ctx, progress);
      indexByCycle.set(cycleId, index);
      index.catch(() => indexByCycle.delete(cycleId));
      if (indexByCycle.size > 8) indexByCycle.delete(indexByCycle.keys().next().value!);
    }
    return index;
  }

  async function buildTargetIndex(ctx: AppContext, progress: (detail: object) => void): Promise<TargetIndex | undefined> {
    const index = new TargetIndex(ctx.mapping.matchingPaths, (resource) => ctx.mapping.read(resource, ctx.mapping.paths));
    try {
      for (let startIndex = 1; ; ) {
        const page = await ctx.target.listUsers({ startIndex, count: INDEX_PAGE_SIZE });
        for (const resource of page.Resources) index.add(resource);
        progress({ indexed: index.size });
        if (page.Resources.length === 0 || startIndex - 1 + page.Resources.length >= page.totalResults) return index;
        startIndex += page.Resources.length;
      }
    } catch (error) {
      // A target that cannot be listed is matched with filter queries, one per object.
      logger.warn({ appId: ctx.app.id, err: toErrorInfo(error) }, 'listing the target failed; matching with filter queries');
      return undefined;
    }
  }

  /** The cycle's share of the app's deprovisioning threshold; none when the app sets no limit. */
  function guardFor(ctx: AppContext, cycleId: string): DeprovisionGuard | undefined {
    const threshold = deprovisionThreshold(ctx.app);
    if (threshold === null) return undefined;
    return { threshold, claim: () => store.cycles.claimDeprovision(cycleId, threshold) };
  }

  /**
   * Reconciles a batch of objects with bounded concurrency, as a sliding window. Results are
   * saved in groups: first the log entries, then the anchors, then escrow, so an anchor never
   * exists without its log entry. Progress (the leading objects whose results are saved) is
   * heartbeaten, and a retried activity resumes after it; objects redone past that point find
   * their anchors and are skipped, their first log entry kept. A configuration error (bad
   * credentials) stops the batch: it is not about one object.
   */
  async function reconcileBatch(
    ctx: AppContext,
    objects: SourceObject[],
    scope: (source: SourceObject) => ScopeDecision,
    log: { cycleId: string | null; phase: string },
    heartbeat: Heartbeat,
    index?: TargetIndex,
  ): Promise<{ processed: number; counts: CycleCounts }> {
    const resumeAt = Math.min(heartbeat.resumed.done ?? 0, objects.length);
    const todo = objects.slice(resumeAt);
    const batch = await ctx.forBatch(todo.map((o) => o.id));
    const guard = log.cycleId ? guardFor(ctx, log.cycleId) : undefined;
    const users = { ...batch.context, ...(index && { index }), ...(guard && { guard }) };
    let counts = EMPTY_COUNTS;
    /** A failed save stops the batch; so does a configuration error (after its result is saved). */
    let saveError: unknown;
    let halt: ProvisioningError | undefined;

    const saved = new Array<boolean>(todo.length).fill(false);
    let leading = 0;
    let pending: { at: number; outcome: ReconcileOutcome; startedAt: Date }[] = [];
    let saving: Promise<void> = Promise.resolve();
    const save = () => {
      const group = pending;
      pending = [];
      saving = saving.then(async () => {
        if (group.length === 0 || saveError) return;
        try {
          await saveResults(ctx, batch, group, log);
          for (const { at } of group) saved[at] = true;
          while (leading < todo.length && saved[leading]) leading += 1;
          heartbeat.beat({ done: resumeAt + leading });
        } catch (error) {
          saveError ??= error;
        }
      });
      return saving;
    };

    await pMap(
      todo.entries(),
      async ([at, source]) => {
        if (saveError || halt) return;
        const startedAt = now();
        const outcome = await reconcileObject(users, source, scope(source));
        if (outcome.error?.kind === 'configuration') halt ??= new ProvisioningError({ ...outcome.error });
        counts = addCount(counts, outcome);
        pending.push({ at, outcome, startedAt });
        if (pending.length >= chunkSize) void save();
      },
      { concurrency },
    );
    await save();
    if (saveError) throw saveError;
    if (halt) throw halt;
    return { processed: objects.length, counts };
  }

  /** Saves a group of results: log entries, then anchors, then escrow (see reconcileBatch). */
  async function saveResults(
    ctx: AppContext,
    batch: Awaited<ReturnType<AppContext['forBatch']>>,
    group: { outcome: ReconcileOutcome; startedAt: Date }[],
    log: { cycleId: string | null; phase: string },
  ): Promise<void> {
    const outcomes = group.map((g) => g.outcome);
    await store.provisioningLog.append(group.map((g) => logEntry(ctx, g.outcome, log, g.startedAt)));
    const conflicts = await batch.flush(outcomes.map((o) => o.sourceId));
    // Two source objects resolved to one target account: the later one is not linked.
    const failed = conflicts.map(({ sourceId, error }): ReconcileOutcome => {
      const outcome = outcomes.find((o) => o.sourceId === sourceId)!;
      const info = { kind: 'permanent' as const, code: 'DuplicateSourceEntries' as const, message: error.message };
      return { ...outcome, action: 'Other', status: 'Failure', reason: info.message, changes: [], error: info, steps: [...outcome.steps, { name: 'export', status: 'Failure', detail: info.message }] };
    });
    if (failed.length) await store.provisioningLog.append(failed.map((o) => logEntry(ctx, o, { ...log, phase: `${log.phase}:link` }, now())));
    const conflicted = new Set(conflicts.map((c) => c.sourceId));
    await recordEscrow(ctx, [...outcomes.filter((o) => !conflicted.has(o.sourceId)), ...failed]);
  }

  /** The provisioning-log entry of an outcome; within a cycle a change has a stable id, so a retry logs it once. */
  function logEntry(ctx: AppContext, o: ReconcileOutcome, log: { cycleId: string | null; phase: string }, startedAt: Date): ProvisioningLogInput {
    return {
      appId: ctx.app.id,
      cycleId: log.cycleId,
      changeId: log.cycleId ? `${log.cycleId}:${log.phase}:${o.objectType}:${o.sourceId}` : `${log.phase}:${randomUUID()}`,
      objectType: o.objectType,
      sourceId: o.sourceId,
      sourceDisplay: o.sourceDisplay ?? null,
      targetId: o.targetId ?? null,
      action: o.action,
      status: o.status,
      reason: o.reason,
      modifiedProperties: o.changes as ProvisioningLogInput['modifiedProperties'],
      steps: o.steps.map(({ name, status, detail }) => ({ name, status, detail })),
      error: o.error ?? null,
      startedAt,
      durationMs: now().getTime() - startedAt.getTime(),
    };
  }

  /**
   * Failed objects and held-back deprovisionings go to escrow (retried on later cycles);
   * objects that succeeded leave it.
   */
  async function recordEscrow(ctx: AppContext, outcomes: ReconcileOutcome[]) {
    const escrowed = (o: ReconcileOutcome) => o.error !== undefined && (o.status === 'Failure' || o.action === 'StagedDelete');
    for (const o of outcomes) {
      if (escrowed(o)) await store.escrow.record(ctx.app.id, o.objectType, o.sourceId, o.error!, now());
    }
    const succeeded = outcomes.filter((o) => !escrowed(o)).map((o) => o.sourceId);
    await store.escrow.clear(ctx.app.id, ctx.users.objectType, succeeded);
  }

  /**
   * Replaces objects that carry only changed properties with their full current state, and
   * keeps one (the last) of objects a page lists twice, so no two reconciles of one object race.
   */
  async function complete(ctx: AppContext, listed: SourceObject[]): Promise<SourceObject[]> {
    const objects = [...new Map(listed.map((o) => [o.id, o])).values()];
    const partial = objects.filter((o) => o.partial && !o.removed).map((o) => o.id);
    if (partial.length === 0) return objects;
    const full = new Map((await ctx.source.getUsers(partial)).map((o) => [o.id, o]));
    return objects.flatMap((o) => (o.partial && !o.removed ? (full.has(o.id) ? [full.get(o.id)!] : []) : [o]));
  }

  return {
    async beginCycle({ appId, n, forceDeletes }) {
      return failing(async () => {
        const ctx = await appContext(appId);
        const sync = await store.syncState.get(appId, 'user');
        const incremental = Boolean(sync?.deltaLink) && sync?.configVersion === ctx.app.configVersion;
        const cycle = await store.cycles.start({ appId, n, kind: incremental ? 'incremental' : 'initial', forceDeletes });
        // The deprovisionings held back by the guard are retried by this cycle's escrow phase.
        if (forceDeletes) await store.escrow.releaseStaged(appId, now());
        Context.current().log.info('cycle started', { appId, cycleId: cycle.id, kind: cycle.kind });
        return { cycleId: cycle.id, kind: cycle.kind, startedAt: cycle.startedAt, startLink: cycle.kind === 'incremental' ? (sync?.deltaLink ?? null) : null };
      });
    },

    async lastCycleNumber({ appId }) {
      return failing(() => store.cycles.latestNumber(appId));
    },

    async countSourceObjects({ appId }) {
      return failing(async () => {
        const ctx = await appContext(appId);
        if (ctx.app.source.scope === 'assigned' && ctx.app.source.servicePrincipalId) {
          return (await ctx.source.assignedUserIds(ctx.app.source.servicePrincipalId)).size;
        }
        return (await ctx.source.countUsers?.()) ?? null;
      });
    },

    async processSourcePage({ appId, cycleId, kind, link }): Promise<SourcePageResult> {
      return failing(() =>
        withHeartbeat(async (heartbeat) => {
          const ctx = await appContext(appId);
          let page;
          try {
            page = await ctx.source.readUsersDelta(link ?? undefined);
          } catch (error) {
            if (error instanceof ProvisioningError && error.code === 'DeltaTokenExpired') {
              logger.warn({ appId, cycleId }, 'delta link expired; starting a full round');
              return { resync: true, nextLink: null, deltaLink: null, processed: 0, counts: EMPTY_COUNTS };
            }
            throw error;
          }
          const objects = await complete(ctx, page.objects);
          const scope = await scopeOf(ctx, cycleId);
          const index = kind === 'initial' ? await targetIndexFor(ctx, cycleId, (detail) => heartbeat.beat(detail)) : undefined;
          const { processed, counts } = await reconcileBatch(ctx, objects, scope, { cycleId, phase: 'sync' }, heartbeat, index);
          await store.cycles.addCounts(cycleId, counts);
          return { resync: false, nextLink: page.nextLink ?? null, deltaLink: page.deltaLink ?? null, processed, counts };
        }),
      );
    },

    async retryEscrow({ appId, cycleId }) {
      return failing(() =>
        withHeartbeat(async (heartbeat) => {
          const ctx = await appContext(appId);
          const due = await store.escrow.due(appId, now(), 1000);
          const ids = due.filter((e) => e.objectType === 'user').map((e) => e.sourceId);
          if (ids.length === 0) return { processed: 0, counts: EMPTY_COUNTS };
          const found = new Map((await ctx.source.getUsers(ids)).map((o) => [o.id, o]));
          // A user the source no longer returns was deleted there: deprovision it as soft-deleted.
          const objects = ids.map((id): SourceObject => found.get(id) ?? { id, type: 'user', attributes: {}, removed: 'changed' });
          const scope = await scopeOf(ctx, cycleId);
          const result = await reconcileBatch(ctx, objects, scope, { cycleId, phase: 'escrow' }, heartbeat);
          await store.cycles.addCounts(cycleId, result.counts);
          return result;
        }),
      );
    },

    async reconcileAssignments({ appId, cycleId }) {
      return failing(() =>
        withHeartbeat(async (heartbeat) => {
          const ctx = await appContext(appId);
          const { scope: scopeKind, servicePrincipalId } = ctx.app.source;
          if (scopeKind !== 'assigned' || !servicePrincipalId) return { processed: 0, counts: EMPTY_COUNTS };
          const scope = await scopeOf(ctx, cycleId);
          const assigned = await ctx.source.assignedUserIds(servicePrincipalId);
          // Assignments change without touching the users, so the delta round does not show them.
          const anchored = new Set<string>();
          const unassigned: string[] = [];
          for (let cursor: string | undefined; ; ) {
            const page = await store.anchors.listByApp(appId, { objectType: 'user', limit: 1000, ...(cursor && { cursor }) });
            for (const anchor of page.items) {
              if (anchor.state === 'deleted') continue;
              anchored.add(anchor.sourceId);
              if (anchor.state === 'active' && !assigned.has(anchor.sourceId)) unassigned.push(anchor.sourceId);
            }
            if (!page.nextCursor) break;
            cursor = page.nextCursor;
          }
          const newlyAssigned = [...assigned].filter((id) => !anchored.has(id));
          const ids = [...unassigned, ...newlyAssigned];
          const wasAnchored = new Set(unassigned);
          if (ids.length === 0) return { processed: 0, counts: EMPTY_COUNTS };
          const found = new Map((await ctx.source.getUsers(ids)).map((o) => [o.id, o]));
          const objects = ids.flatMap((id): SourceObject[] => {
            const object = found.get(id);
            if (object) return [object];
            // An anchored user the source no longer returns was deleted there.
            return wasAnchored.has(id) ? [{ id, type: 'user', attributes: {}, removed: 'changed' }] : [];
          });
          const result = await reconcileBatch(ctx, objects, scope, { cycleId, phase: 'scope' }, heartbeat);
          await store.cycles.addCounts(cycleId, result.counts);
          return result;
        }),
      );
    },

    async finishCycle({ appId, cycleId, deltaLink, error }) {
      return failing(async () => {
        const app = await store.apps.get(appId);
        if (!error && deltaLink && app) await store.syncState.set({ appId, objectType: 'user', deltaLink, configVersion: app.configVersion });
        const { staged, ...counts } = await store.provisioningLog.countsByCycle(cycleId);
        const cycle = await store.cycles.finish(cycleId, { state: error ? 'failed' : 'succeeded', error, counts });
        indexByCycle.delete(cycleId);
        assignedByCycle.delete(cycleId);
        if (!cycle) throw new ProvisioningError({ kind: 'permanent', code: 'NotFound', message: `cycle ${cycleId} does not exist` });
        if (staged > 0 && app) {
          await alerter.send({
            type: 'quarantine',
            appId,
            reason: 'TooManyDeletes',
            cycleId,
            at: now().toISOString(),
            message: `${app.displayName}: cycle ${cycleId} held back ${staged} deprovisionings past the threshold of ${deprovisionThreshold(app)}; the job is quarantined until an admin allows the deletes`,
          });
        }
        return {
          id: cycle.id,
          kind: cycle.kind,
          state: cycle.state === 'failed' ? 'failed' : 'succeeded',
          startedAt: cycle.startedAt,
          finishedAt: cycle.finishedAt ?? now().toISOString(),
          counts: cycle.counts,
          staged,
          ...(cycle.error && { error: cycle.error.detail ? `${cycle.error.message}: ${cycle.error.detail}` : cycle.error.message }),
        };
      });
    },

    async provisionOnDemand({ appId, objectId }) {
      return failing(async () => {
        const ctx = await appContext(appId);
        const startedAt = now();
        const source = await ctx.source.getUser(objectId);
        if (!source) {
          const error = { kind: 'permanent' as const, code: 'NotFound' as const, message: `no user ${objectId} in the source directory` };
          return { objectId, outcome: null, status: 'Failure' as const, steps: [{ name: 'import' as const, status: 'Failure' as const, detail: error.message }], error };
        }
        const scope = await scopeOf(ctx, `on-demand:${randomUUID()}`);
        const batch = await ctx.forBatch([objectId]);
        const outcome = await reconcileObject(batch.context, source, scope(source));
        await saveResults(ctx, batch, [{ outcome, startedAt }], { cycleId: null, phase: 'on-demand' });
        const { objectType: _type, ...rest } = outcome;
        return { objectId, outcome: rest, steps: outcome.steps, status: outcome.status, ...(outcome.error && { error: outcome.error }) };
      });
    },
  };
}
