/**
 * scimflow's activities: thin functions over the domain code in src/. Each one loads its app by
 * id (secrets never travel through workflow history), works idempotently, and reports errors as
 * Temporal ApplicationFailures carrying the error's kind, code and the peer's own message.
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ProvisioningError, toErrorInfo } from '../src/errors/index';
import type { Logger } from '../src/log/index';
import { reconcileObject, TargetIndex, type DeprovisionGuard, type ReconcileOutcome, type ScopeDecision } from '../src/reconcile/index';
import { createAlerter, type Alerter } from '../src/alerts/index';
import { deprovisionThreshold } from '../src/config/app';
import { discoverCapabilities } from '../src/scim/index';
import type { SourceObject, SourcePage } from '../src/source/index';
import { countKey, type ProvisioningLogInput, type Store } from '../src/store/index';
import type { CycleCounts } from '../workflows/app-job-state';
import { createAppContexts, PERSON_LEFT, type AnchorBatch, type AppContext } from './app-context';
import { withHeartbeat, type Heartbeat } from './heartbeat';
import { filteredScope } from './scope';
import { reconcileStream, type StreamPage } from './reconcile-stream';
import type { ClientFactories } from './ports';
import type { GroupDelta } from '../src/graph/index';
import { cycleCache } from './cycle-cache';
import { createGroupSync } from './group-sync';
import { logEntryOf } from './log-entry';
import type { ScimflowActivities, SourcePageResult } from './types';

export interface ActivityDeps {
  store: Store;
  clients: ClientFactories;
  logger: Logger;
  /** Objects of one page reconciled at the same time (the per-app bound on target requests). */
  concurrency?: number;
  /** Where quarantine alerts go (logged only when absent). */
  alerter?: Alerter;
  /** Objects whose results are saved (log, anchors, escrow, heartbeat) together. */
  groupSize?: number;
  now?: () => Date;
}

/**
 * With SCIM Bulk the writes of concurrent reconciles travel together and each waits for its
 * batch, so more objects are reconciled at once to fill the batches; the target still sees at
 * most the app's request concurrency.
 */
const BULK_OBJECT_FACTOR = 4;

/** Capabilities are read again at the start of a cycle once they are this old. */
const REDISCOVER_AFTER_MS = 24 * 3600_000;

/** Users asked for per listing request when indexing a target (servers may answer with fewer). */
const INDEX_PAGE_SIZE = 1000;

/**
 * How much of a source round one activity takes on before it hands back a link: enough pages to
 * keep the target busy across page boundaries, few enough that a retry redoes little and the
 * workflow shows progress.
 */
const SEGMENT_OBJECTS = 5_000;
const SEGMENT_MS = 120_000;

/** Users waiting for a manager reconciled per round, and rounds (links of a manager chain) per call. */
const RESOLVE_HOLDERS = 1000;
const MANAGER_ROUNDS = 5;

const EMPTY_COUNTS: CycleCounts = { created: 0, updated: 0, disabled: 0, deleted: 0, skipped: 0, failed: 0 };

const EXPIRED = Symbol('expired');
/** A delta round whose link expired: the workflow starts it again in full. */
const RESYNC: SourcePageResult = { resync: true, nextLink: null, deltaLink: null, processed: 0, counts: EMPTY_COUNTS };

/** A stable key of the app roles a user holds. */
function roleKey(roles: readonly { id: string }[]): string {
  return roles
    .map((role) => role.id)
    .sort()
    .join(',');
}

function addCount(counts: CycleCounts, outcome: Pick<ReconcileOutcome, 'action' | 'status'>): CycleCounts {
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

export async function failing<T>(work: () => Promise<T>): Promise<T> {
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
  const groupSize = deps.groupSize ?? 200;
  const appContext = createAppContexts(store, deps.clients);
  const alerter = deps.alerter ?? createAlerter({ logger });
  /** Target listings per cycle and object type, and assigned-user sets per cycle: once per cycle and worker, again after a restart. */
  const indexByCycle = cycleCache<TargetIndex | undefined>(8);
  const assignedByCycle = cycleCache<Set<string>>(64);

  /** The assigned users, read once per cycle and worker (again after a restart). Outside a cycle they are read fresh. */
  function assignedInCycle(ctx: AppContext, servicePrincipalId: string, cycleKey: string): Promise<Set<string>> {
    return assignedByCycle.get(cycleKey, () => ctx.source.assignedUserIds(servicePrincipalId));
  }

  /**
   * The scope decision for the app's users: assignment (when the app is scoped to assigned
   * users) and the app's scoping filter must both let an object in.
   */
  async function scopeOf(ctx: AppContext, cycleKey: string | null): Promise<(source: SourceObject) => ScopeDecision> {
    const { scope, servicePrincipalId } = ctx.app.source;
    const filter = ctx.app.scoping?.user;
    const filtered = (source: SourceObject, assignment: string): ScopeDecision => filteredScope(filter, source, assignment);
    // Someone who has left stays out until a rehire, whatever the directory says now: read for
    // every batch (one indexed query), so a leave recorded during a cycle counts from its next batch.
    const left = await store.persons.allLeft();
    const hasLeft = (source: SourceObject): ScopeDecision | undefined =>
      // Disabled, never deleted here: the leaver run deletes after the app's retention period.
      left.has(source.id) ? { inScope: false, detail: PERSON_LEFT, deprovision: 'disable' } : undefined;
    if (scope === 'all' || !servicePrincipalId) return (source) => hasLeft(source) ?? filtered(source, 'the app provisions all users');
    const ids = await (cycleKey === null
      ? ctx.source.assignedUserIds(servicePrincipalId)
      : assignedInCycle(ctx, servicePrincipalId, cycleKey));
    return (source) =>
      hasLeft(source) ??
      (ids.has(source.id)
        ? filtered(source, `assigned to service principal ${servicePrincipalId}`)
        : { inScope: false, detail: `not assigned to service principal ${servicePrincipalId}, directly or through a group` });
  }

  /**
   * An index of the target's users for an initial cycle: one paged listing instead of a filter
   * query per object. Built once per cycle and worker. A retried activity matches with filter
   * queries instead, so an account created by an attempt that died is always found.
   */
  async function targetIndexFor(
    ctx: AppContext,
    cycleId: string,
    progress: (detail: object) => void,
    objectType: 'user' | 'group' = 'user',
  ): Promise<TargetIndex | undefined> {
    if (Context.current().info.attempt > 1) return undefined;
    return indexByCycle.get(`${cycleId}:${objectType}`, () => buildTargetIndex(ctx, progress, objectType));
  }

  async function buildTargetIndex(
    ctx: AppContext,
    progress: (detail: object) => void,
    objectType: 'user' | 'group' = 'user',
  ): Promise<TargetIndex | undefined> {
    const { mapping } = objectType === 'user' ? ctx.users : ctx.groups;
    const index = new TargetIndex(mapping.matchingPaths, (resource) => mapping.read(resource, mapping.paths));
    try {
      for (let startIndex = 1; ;) {
        // Groups are listed without their members: only the matching attributes are needed.
        const page =
          objectType === 'user'
            ? await ctx.target.listUsers({ startIndex, count: INDEX_PAGE_SIZE })
            : await ctx.target.list('Groups', { startIndex, count: INDEX_PAGE_SIZE, excludedAttributes: ['members'] });
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
   * Reconciles source objects (a stream of pages, or one in-memory batch) through the stream
   * engine, resuming after what a previous attempt saved, and returns what was done.
   */
  async function reconcilePages(
    ctx: AppContext,
    pages: AsyncIterable<StreamPage>,
    skipInFirstPage: number,
    scope: (source: SourceObject) => ScopeDecision,
    log: { cycleId: string | null; phase: string },
    heartbeat: Heartbeat,
    index?: TargetIndex,
  ): Promise<{ processed: number; counts: CycleCounts }> {
    const guard = log.cycleId ? guardFor(ctx, log.cycleId) : undefined;
    const result = await reconcileStream({
      ctx,
      pages,
      skipInFirstPage,
      scope,
      extend: { ...(index && { index }), ...(guard && { guard }) },
      concurrency: objectConcurrency(ctx),
      groupSize,
      save: (batch, group) => saveResults(ctx, batch, group, log),
      onProgress: (point) => heartbeat.beat(point),
      now,
    });
    return { processed: result.processed, counts: result.outcomes.reduce(addCount, EMPTY_COUNTS) };
  }

  /** One in-memory batch as a stream, resuming after the objects a previous attempt saved. */
  function reconcileBatch(
    ctx: AppContext,
    objects: SourceObject[],
    scope: (source: SourceObject) => ScopeDecision,
    log: { cycleId: string | null; phase: string },
    heartbeat: Heartbeat,
  ): Promise<{ processed: number; counts: CycleCounts }> {
    async function* single(): AsyncGenerator<StreamPage> {
      yield { link: null, objects };
    }
    return reconcilePages(ctx, single(), heartbeat.resumed.done ?? 0, scope, log, heartbeat);
  }

  /** Saves a group of results: log entries, then anchors, then escrow (see reconcile-stream.ts). */
  async function saveResults(
    ctx: AppContext,
    batch: AnchorBatch,
    group: { outcome: ReconcileOutcome; startedAt: Date }[],
    log: { cycleId: string | null; phase: string; changeId?: string },
  ): Promise<void> {
    const outcomes = group.map((g) => g.outcome);
    await store.provisioningLog.append(group.map((g) => logEntry(ctx, g.outcome, log, g.startedAt)));
    const conflicts = await batch.flush(outcomes.map((o) => o.sourceId));
    // Two source objects resolved to one target account: the later one is not linked.
    const failed = conflicts.map(({ sourceId, error }): ReconcileOutcome => {
      const outcome = outcomes.find((o) => o.sourceId === sourceId)!;
      const info = { kind: 'permanent' as const, code: 'DuplicateSourceEntries' as const, message: error.message };
      return {
        ...outcome,
        action: 'Other',
        status: 'Failure',
        reason: info.message,
        changes: [],
        error: info,
        steps: [...outcome.steps, { name: 'export', status: 'Failure', detail: info.message }],
      };
    });
    if (failed.length)
      await store.provisioningLog.append(
        failed.map((o) =>
          logEntry(
            ctx,
            o,
            { cycleId: log.cycleId, phase: `${log.phase}:link`, ...(log.changeId && { changeId: `${log.changeId}:link` }) },
            now(),
          ),
        ),
      );
    const conflicted = new Set(conflicts.map((c) => c.sourceId));
    await recordEscrow(ctx, [...outcomes.filter((o) => !conflicted.has(o.sourceId)), ...failed]);
  }

  /** The provisioning-log entry of an outcome; within a cycle a change has a stable id, so a retry logs it once. */
  function logEntry(
    ctx: AppContext,
    o: ReconcileOutcome,
    log: { cycleId: string | null; phase: string; changeId?: string },
    startedAt: Date,
  ): ProvisioningLogInput {
    const changeId =
      log.changeId ?? (log.cycleId ? `${log.cycleId}:${log.phase}:${o.objectType}:${o.sourceId}` : `${log.phase}:${randomUUID()}`);
    return logEntryOf(o, { appId: ctx.app.id, cycleId: log.cycleId, changeId }, startedAt, now());
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
    for (const objectType of ['user', 'group'] as const) {
      const succeeded = outcomes.filter((o) => o.objectType === objectType && !escrowed(o)).map((o) => o.sourceId);
      if (succeeded.length) await store.escrow.clear(ctx.app.id, objectType, succeeded);
    }
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

  /**
   * The pages of one activity's share of a source round, read one page ahead so the target never
   * waits for the source: from `link` until the round ends (`end.deltaLink`) or the segment's
   * budget is spent (`end.nextLink`: where the next activity continues).
   */
  async function* segment(
    ctx: AppContext,
    link: string | null,
    first: SourcePage,
    end: { nextLink: string | null; deltaLink: string | null },
  ): AsyncGenerator<StreamPage> {
    const started = Date.now();
    let objects = 0;
    let current: { link: string | null; page: SourcePage } = { link, page: first };
    for (;;) {
      objects += current.page.objects.length;
      const next = current.page.nextLink;
      const more = next !== undefined && objects < SEGMENT_OBJECTS && Date.now() - started < SEGMENT_MS;
      const ahead = more ? ctx.source.readUsersDelta(next) : undefined;
      ahead?.catch(() => {});
      yield { link: current.link, objects: await complete(ctx, current.page.objects) };
      if (next === undefined) {
        end.deltaLink = current.page.deltaLink ?? null;
        return;
      }
      if (!ahead) {
        end.nextLink = next;
        return;
      }
      current = { link: next, page: await ahead };
    }
  }

  /**
   * Reads the target's capabilities again when they were never read or are a day old, and keeps
   * them with the app (the next activities pick them up). A target that cannot tell keeps its
   * profile: discovery notes what it could not read and never fails a cycle.
   */
  async function rediscoverWhenStale(ctx: AppContext): Promise<void> {
    const discoveredAt = ctx.app.capabilities?.discovered?.discoveredAt;
    if (discoveredAt && now().getTime() - Date.parse(discoveredAt) < REDISCOVER_AFTER_MS) return;
    try {
      const { profile, notes } = await discoverCapabilities(ctx.target, { now });
      await store.apps.update(ctx.app.id, { capabilities: { overrides: ctx.app.capabilities?.overrides ?? {}, discovered: profile } });
      if (notes.length) logger.info({ appId: ctx.app.id, notes }, 'target capabilities read, with notes');
    } catch (error) {
      logger.warn({ appId: ctx.app.id, err: toErrorInfo(error) }, 'reading the target capabilities failed; the current profile stays');
    }
  }

  /** Reconciles one user now (or, as a dry run, decides what would be sent) through the cycle's path. */
  async function reconcileOne(appId: string, objectId: string, dryRun: boolean) {
    const ctx = await appContext(appId);
    const source =
      (await ctx.source.getUser(objectId)) ?? (ctx.app.groups?.enabled ? (await ctx.source.getGroups([objectId]))[0] : undefined);
    if (!source) {
      const what = ctx.app.groups?.enabled ? 'user or group' : 'user';
      const error = { kind: 'permanent' as const, code: 'NotFound' as const, message: `no ${what} ${objectId} in the source directory` };
      return { outcome: undefined, error, steps: [{ name: 'import' as const, status: 'Failure' as const, detail: error.message }] };
    }
    const scope = source.type === 'group' ? (await groupSync.scopeOf(ctx, null))(source) : (await scopeOf(ctx, null))(source);
    if (source.type === 'group' && !dryRun) {
      // A group on demand: the group, then its whole membership, through the cycle's own path (which saves the results).
      const delta: GroupDelta = {
        id: source.id,
        attributes: source.attributes,
        membersAdded: [],
        membersRemoved: [],
        memberTypes: {},
        partial: false,
      };
      const [outcome] = await groupSync.processGroups(
        ctx,
        [delta],
        'full',
        { cycleId: null, phase: 'on-demand' },
        { resumed: {}, beat: () => {} },
      );
      return { ctx, source, scope, batch: undefined, outcome: outcome! };
    }
    const batch = ctx.batch(source.type);
    const outcome = await reconcileObject(batch.context, source, scope, { dryRun });
    return { ctx, source, scope, batch, outcome };
  }

  /**
   * Reconciles again the users whose manager was not provisioned when they were and is now, so
   * the reference is written (`refId`: only those waiting for that user). A chain of managers
   * resolves link by link, a few links per call; the next cycle continues a longer one.
   */
  async function resolvePendingManagers(
    ctx: AppContext,
    cycleId: string | null,
    heartbeat: Heartbeat,
    refId?: string,
  ): Promise<{ processed: number; counts: CycleCounts }> {
    let processed = 0;
    let counts = EMPTY_COUNTS;
    if (!ctx.users.references) return { processed, counts };
    for (let round = 0; round < MANAGER_ROUNDS; round++) {
      const holders = await store.references.resolvable(ctx.app.id, RESOLVE_HOLDERS, refId === undefined ? {} : { refId });
      if (holders.length === 0) break;
      const objects = await ctx.source.getUsers(holders);
      const scope = await scopeOf(ctx, cycleId);
      // A fresh batch each round: what an earlier attempt saved is reconciled again, idempotently.
      const result = await reconcileBatch(
        ctx,
        objects,
        scope,
        { cycleId, phase: `references-${round}` },
        { resumed: {}, beat: (point) => heartbeat.beat({ managers: point }) },
      );
      await store.references.clearResolvable(ctx.app.id, holders);
      processed += result.processed;
      counts = Object.fromEntries(
        Object.entries(counts).map(([key, n]) => [key, n + result.counts[key as keyof CycleCounts]]),
      ) as CycleCounts;
      if (holders.length < RESOLVE_HOLDERS) break;
    }
    return { processed, counts };
  }

  /**
   * Users whose app roles changed since the snapshot (an assignment changes without touching the
   * user, so the delta round does not show it) are reconciled again, and the snapshot follows.
   * Without a snapshot yet, one is taken: the last full cycle wrote everyone's roles.
   */
  async function reconcileRoleChanges(
    ctx: AppContext,
    cycleId: string,
    heartbeat: Heartbeat,
  ): Promise<{ processed: number; counts: CycleCounts }> {
    if (!ctx.appRoles) return { processed: 0, counts: EMPTY_COUNTS };
    const current = new Map(
      [...(await ctx.appRoles({ fresh: true }))].map(([id, roles]) => [id, roleKey(roles)] as const).filter(([, key]) => key !== ''),
    );
    const snapshot = await store.roleSnapshots.all(ctx.app.id);
    const changed = [...new Set([...current.keys(), ...snapshot.keys()])].filter((id) => current.get(id) !== snapshot.get(id));
    const record = () =>
      store.roleSnapshots.apply(
        ctx.app.id,
        changed.filter((id) => current.has(id)).map((id) => [id, current.get(id)!] as const),
        changed.filter((id) => !current.has(id)),
      );
    if (snapshot.size === 0 || changed.length === 0) {
      await record();
      return { processed: 0, counts: EMPTY_COUNTS };
    }
    const objects = await ctx.source.getUsers(changed);
    const scope = await scopeOf(ctx, cycleId);
    // Its own progress key, so the resume point of the activity's other batch stays its own.
    const result = await reconcileBatch(
      ctx,
      objects,
      scope,
      { cycleId, phase: 'roles' },
      { resumed: {}, beat: (point) => heartbeat.beat({ roles: point }) },
    );
    await record();
    return result;
  }

  /** Reads a delta page, or answers EXPIRED when Graph refuses the link (the round starts again in full). */
  async function unlessExpired<T>(
    read: () => Promise<T>,
    about: { appId: string; cycleId: string; what: string },
  ): Promise<T | typeof EXPIRED> {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof ProvisioningError && error.code === 'DeltaTokenExpired')) throw error;
      logger.warn({ appId: about.appId, cycleId: about.cycleId }, `${about.what} expired; starting a full round`);
      return EXPIRED;
    }
  }

  /** Objects reconciled at once for an app: more with Bulk, whose batches carry them in few requests. */
  function objectConcurrency(ctx: AppContext): number {
    return ctx.profile.bulk.supported && ctx.profile.bulk.maxOperations > 1
      ? Math.min(concurrency * BULK_OBJECT_FACTOR, ctx.profile.bulk.maxOperations)
      : concurrency;
  }

  const groupSync = createGroupSync({ store, logger, now, concurrency, saveResults, guardFor });

  /** The groups round a cycle runs: none when the app does not provision groups; full when memberships are due a comparison. */
  async function groupRoundOf(ctx: AppContext): Promise<{ kind: 'full' | 'incremental'; startLink: string | null } | null> {
    if (!ctx.app.groups?.enabled) return null;
    const sync = await store.syncState.get(ctx.app.id, 'group');
    const compareEveryMs = (ctx.app.groups.compareMembersHours ?? 24) * 3600_000;
    const due = !sync?.comparedAt || now().getTime() - Date.parse(sync.comparedAt) >= compareEveryMs;
    if (!sync?.deltaLink || sync.configVersion !== ctx.app.configVersion || due) return { kind: 'full', startLink: null };
    return { kind: 'incremental', startLink: sync.deltaLink };
  }

  return {
    async beginCycle({ appId, n, forceDeletes }) {
      return failing(async () => {
        const ctx = await appContext(appId);
        const sync = await store.syncState.get(appId, 'user');
        const incremental = Boolean(sync?.deltaLink) && sync?.configVersion === ctx.app.configVersion;
        const cycle = await store.cycles.start({ appId, n, kind: incremental ? 'incremental' : 'initial', forceDeletes });
        await rediscoverWhenStale(ctx);
        // The deprovisionings held back by the guard are retried by this cycle's escrow phase.
        if (forceDeletes) await store.escrow.releaseStaged(appId, now());
        Context.current().log.info('cycle started', { appId, cycleId: cycle.id, kind: cycle.kind });
        return {
          cycleId: cycle.id,
          kind: cycle.kind,
          startedAt: cycle.startedAt,
          startLink: cycle.kind === 'incremental' ? (sync?.deltaLink ?? null) : null,
          groups: await groupRoundOf(ctx),
          references: ctx.users.references !== undefined,
        };
      });
    },

    async lastCycleNumber({ appId }) {
      return failing(() => store.cycles.latestNumber(appId));
    },

    async countSourceObjects({ appId, cycleId }) {
      return failing(async () => {
        const ctx = await appContext(appId);
        if (ctx.app.source.scope === 'assigned' && ctx.app.source.servicePrincipalId) {
          return (await assignedInCycle(ctx, ctx.app.source.servicePrincipalId, cycleId)).size;
        }
        // The total only feeds the progress display: a source that cannot count does not stop a cycle.
        try {
          return (await ctx.source.countUsers?.()) ?? null;
        } catch (error) {
          logger.warn({ appId, err: toErrorInfo(error) }, 'counting the source users failed; progress shows no total');
          return null;
        }
      });
    },

    async processSourcePage({ appId, cycleId, kind, link }): Promise<SourcePageResult> {
      return failing(() =>
        withHeartbeat(async (heartbeat) => {
          const ctx = await appContext(appId);
          // A retry starts where the previous attempt had saved everything before.
          const resumeLink = heartbeat.resumed.link !== undefined ? heartbeat.resumed.link : link;
          const skip = heartbeat.resumed.link !== undefined ? (heartbeat.resumed.done ?? 0) : 0;
          const first = await unlessExpired(() => ctx.source.readUsersDelta(resumeLink ?? undefined), {
            appId,
            cycleId,
            what: 'delta link',
          });
          if (first === EXPIRED) return RESYNC;
          const scope = await scopeOf(ctx, cycleId);
          const index = kind === 'initial' ? await targetIndexFor(ctx, cycleId, (detail) => heartbeat.beat(detail)) : undefined;
          const end: { nextLink: string | null; deltaLink: string | null } = { nextLink: null, deltaLink: null };
          const { processed, counts } = await reconcilePages(
            ctx,
            segment(ctx, resumeLink, first, end),
            skip,
            scope,
            { cycleId, phase: 'sync' },
            heartbeat,
            index,
          );
          await store.cycles.addCounts(cycleId, counts);
          return { resync: false, ...end, processed, counts };
        }),
      );
    },

    async retryEscrow({ appId, cycleId }) {
      return failing(() =>
        withHeartbeat(async (heartbeat) => {
          const ctx = await appContext(appId);
          const due = await store.escrow.due(appId, now(), 1000);
          const ids = due.filter((e) => e.objectType === 'user').map((e) => e.sourceId);
          const groupIds = due.filter((e) => e.objectType === 'group').map((e) => e.sourceId);
          let groups = { processed: 0, counts: EMPTY_COUNTS };
          if (groupIds.length > 0 && ctx.app.groups?.enabled) {
            // Groups are retried whole: the group, then its full membership.
            const found = new Map((await ctx.source.getGroups(groupIds)).map((g) => [g.id, g]));
            const deltas = groupIds.map((id): GroupDelta => {
              const group = found.get(id);
              return {
                id,
                attributes: group?.attributes ?? {},
                ...(!group && { removed: 'changed' as const }),
                membersAdded: [],
                membersRemoved: [],
                memberTypes: {},
                partial: false,
              };
            });
            const outcomes = await groupSync.processGroups(ctx, deltas, 'full', { cycleId, phase: 'escrow' }, heartbeat);
            groups = { processed: outcomes.length, counts: outcomes.reduce(addCount, EMPTY_COUNTS) };
            await store.cycles.addCounts(cycleId, groups.counts);
          }
          if (ids.length === 0) return groups;
          const found = new Map((await ctx.source.getUsers(ids)).map((o) => [o.id, o]));
          // A user the source no longer returns was deleted there: deprovision it as soft-deleted.
          const objects = ids.map((id): SourceObject => found.get(id) ?? { id, type: 'user', attributes: {}, removed: 'changed' });
          const scope = await scopeOf(ctx, cycleId);
          const result = await reconcileBatch(ctx, objects, scope, { cycleId, phase: 'escrow' }, heartbeat);
          await store.cycles.addCounts(cycleId, result.counts);
          return { processed: result.processed + groups.processed, counts: result.counts };
        }),
      );
    },

    async reconcileAssignments({ appId, cycleId }) {
      return failing(() =>
        withHeartbeat(async (heartbeat) => {
          const ctx = await appContext(appId);
          const roles = await reconcileRoleChanges(ctx, cycleId, heartbeat);
          await store.cycles.addCounts(cycleId, roles.counts);
          const { scope: scopeKind, servicePrincipalId } = ctx.app.source;
          if (scopeKind !== 'assigned' || !servicePrincipalId) return roles;
          const scope = await scopeOf(ctx, cycleId);
          const assigned = await assignedInCycle(ctx, servicePrincipalId, cycleId);
          // Assignments change without touching the users, so the delta round does not show them.
          const anchored = new Set<string>();
          const unassigned: string[] = [];
          for (let cursor: string | undefined; ;) {
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

    async finishCycle({ appId, cycleId, kind, deltaLink, groups, error }) {
      return failing(async () => {
        const app = await store.apps.get(appId);
        if (!error && deltaLink && app)
          await store.syncState.set({ appId, objectType: 'user', deltaLink, configVersion: app.configVersion });
        if (!error && groups?.deltaLink && app) {
          await store.syncState.set({
            appId,
            objectType: 'group',
            deltaLink: groups.deltaLink,
            configVersion: app.configVersion,
            ...(groups.kind === 'full' && { comparedAt: now() }),
          });
        }
        groupSync.forgetCycle(cycleId);
        // A full cycle wrote everyone's roles: later cycles compare with what they are now.
        if (!error && kind === 'initial' && app) {
          const ctx = await appContext(appId);
          if (ctx.appRoles) {
            const roles = [...(await ctx.appRoles())].map(([id, held]) => [id, roleKey(held)] as const);
            const known = await store.roleSnapshots.all(appId);
            const current = new Set(roles.filter(([, key]) => key !== '').map(([id]) => id));
            await store.roleSnapshots.apply(
              appId,
              roles.filter(([, key]) => key !== ''),
              [...known.keys()].filter((id) => !current.has(id)),
            );
          }
        }
        const { staged, ...counts } = await store.provisioningLog.countsByCycle(cycleId);
        const cycle = await store.cycles.finish(cycleId, { state: error ? 'failed' : 'succeeded', error, counts });
        indexByCycle.delete(`${cycleId}:user`);
        indexByCycle.delete(`${cycleId}:group`);
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

    async processGroupPage({ appId, cycleId, kind, link }): Promise<SourcePageResult> {
      return failing(() =>
        withHeartbeat(async (heartbeat) => {
          const ctx = await appContext(appId);
          const page = await unlessExpired(() => ctx.source.readGroupsDelta(link ?? undefined), {
            appId,
            cycleId,
            what: 'groups delta link',
          });
          if (page === EXPIRED) return RESYNC;
          // A full round matches new groups against one listing of the target's groups.
          const index =
            kind === 'full' && ctx.profile.resourceTypes.group
              ? await targetIndexFor(ctx, cycleId, (detail) => heartbeat.beat(detail), 'group')
              : undefined;
          const outcomes = await groupSync.processGroups(ctx, page.groups, kind, { cycleId, phase: 'groups' }, heartbeat, index);
          const counts = outcomes.reduce(addCount, EMPTY_COUNTS);
          await store.cycles.addCounts(cycleId, counts);
          return { resync: false, nextLink: page.nextLink ?? null, deltaLink: page.deltaLink ?? null, processed: outcomes.length, counts };
        }),
      );
    },

    async resolveReferences({ appId, cycleId }) {
      return failing(() =>
        withHeartbeat(async (heartbeat) => {
          const ctx = await appContext(appId);
          let processed = 0;
          let resolved = 0;
          const managers = await resolvePendingManagers(ctx, cycleId, heartbeat);
          processed += managers.processed;
          await store.cycles.addCounts(cycleId, managers.counts);
          if (ctx.app.groups?.enabled) {
            const rescoped = await groupSync.reconcileAssignedGroups(ctx, { cycleId, phase: 'groups-scope' }, heartbeat);
            processed += rescoped.length;
            await store.cycles.addCounts(cycleId, rescoped.reduce(addCount, EMPTY_COUNTS));
            resolved += await groupSync.resolvePending(ctx, { cycleId, phase: 'references' }, { beat: (detail) => heartbeat.beat(detail) });
          }
          return { processed, resolved: resolved + managers.processed };
        }),
      );
    },

    async provisionOnDemand({ appId, objectId, changeId }) {
      return failing(async () => {
        const startedAt = now();
        const one = await reconcileOne(appId, objectId, false);
        if (!one.outcome) return { objectId, outcome: null, status: 'Failure' as const, steps: one.steps, error: one.error };
        if (one.batch)
          await saveResults(one.ctx, one.batch, [{ outcome: one.outcome, startedAt }], {
            cycleId: null,
            phase: 'on-demand',
            ...(changeId && { changeId }),
          });
        // Groups and reports waiting for this user get it now.
        if (one.outcome.status === 'Success' && one.source.type === 'user') {
          if (one.ctx.app.groups?.enabled)
            await groupSync.resolvePending(one.ctx, { cycleId: null, phase: 'on-demand' }, { memberId: objectId });
          await resolvePendingManagers(one.ctx, null, { resumed: {}, beat: () => {} }, objectId);
        }
        const { objectType: _type, ...rest } = one.outcome;
        return {
          objectId,
          outcome: rest,
          steps: one.outcome.steps,
          status: one.outcome.status,
          ...(one.outcome.error && { error: one.outcome.error }),
        };
      });
    },

    async previewObject({ appId, objectId }) {
      return failing(async () => {
        const one = await reconcileOne(appId, objectId, true);
        if (!one.outcome) return { objectId, found: false, source: null, scope: null, outcome: null, steps: one.steps, error: one.error };
        const { objectType: _type, ...rest } = one.outcome;
        return {
          objectId,
          found: true,
          source: one.source.attributes,
          scope: one.scope,
          outcome: rest,
          steps: one.outcome.steps,
          error: one.outcome.error ?? null,
        };
      });
    },
  };
}
