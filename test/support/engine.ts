/**
 * The sync engine on in-memory parts, called as the activities call it but without Temporal: the
 * memory directory, the memory target behind the real SCIM client, and the real store (PGlite in
 * memory) watched for crashes. `activity` runs one piece of work as Temporal would: a failed try
 * is tried again, resumed where it last reported, and after a crash on a fresh worker.
 */
import type { Metrics } from '../../src/metrics/index';
import { randomBytes } from 'node:crypto';
import { createAlertDeliverer, createAlerter, type AlertEvent } from '../../src/alerts/index';
import { appInputSchema, splitSecrets, type AppConfig, type AppInput } from '../../src/config/app';
import { ProvisioningError } from '../../src/errors/index';
import { createLogger } from '../../src/log/index';
import { CONSERVATIVE_PROFILE, scimClientFor } from '../../src/scim/index';
import type { Anchor, ProvisioningLogEntry, Store } from '../../src/store/index';
import { openDatabase } from '../../src/store/index';
import {
  beginCycle,
  createSyncEnv,
  finishCycle,
  processPage,
  reconcileAssignments,
  resolveCycleReferences,
  retryEscrow,
  type BeginCycleResult,
  type CycleSummary,
  type ObjectType,
  type PageResult,
  type Progress,
  type RoundKind,
  type SyncEnv,
} from '../../src/sync/index';
import { MemoryDirectory } from './memory-directory';
import { memoryTarget, type MemoryTarget, type MemoryTargetOptions } from './memory-target';
import { WorkerDied, watchedStore, type WatchedStore } from './watched-store';

/** A store on PGlite in memory; one per test file, as opening one takes seconds. */
export function openMemoryStore(): Promise<Store> {
  return openDatabase({ secretKey: randomBytes(32) });
}

/** Progress as an activity's heartbeat keeps it: what each try reported, merged, and handed to the next try. */
export interface TestProgress extends Progress {
  /** Every report of this try, in order. */
  beats: object[];
  /** Everything this try and the tries before it reported, merged: what the next try resumes from. */
  latest: Record<string, unknown>;
}

/** The progress of a first try, or of the try after `previous`. */
export function testProgress(previous?: TestProgress): TestProgress {
  const resumed = previous ? { ...previous.latest } : {};
  const progress: TestProgress = {
    attempt: previous ? previous.attempt + 1 : 1,
    resumed,
    beats: [],
    latest: { ...resumed },
    beat(detail) {
      progress.beats.push(detail);
      progress.latest = { ...progress.latest, ...detail };
    },
  };
  return progress;
}

/** The activities of a cycle after its beginning, in the order the cycle workflow runs them. */
export type CycleActivity = 'users' | 'assignments' | 'escrow' | 'groups' | 'references' | 'finish';

export interface EngineOptions {
  /** The app's settings beside the defaults (source scope, groups, deprovisioning, ...). */
  app?: Partial<AppInput>;
  /** Objects per directory page. Default 100. */
  pageSize?: number;
  /** Outcomes recorded together. Default the engine's. */
  groupSize?: number;
  /** Requests in flight against the target. Default the engine's. */
  concurrency?: number;
  target?: MemoryTargetOptions;
  /** The metrics the engine counts into (kept across restarts, as a process's would not be: a test reads one registry). */
  metrics?: Metrics;
}

export interface TestEngine {
  appId: string;
  directory: MemoryDirectory;
  target: MemoryTarget;
  /** The store the engine writes through: watch its calls, arm a crash. */
  watched: WatchedStore;
  /** The store itself, for assertions that should not show up among the engine's calls. */
  store: Store;
  clock: { now: () => Date; advance(ms: number): void };
  /** The alerts the engine sent, oldest first. */
  alerts: AlertEvent[];
  /** The tries of every activity that needed more than one, oldest first. */
  retried: TestProgress[][];
  /** The current worker's environment (a fresh one after each crash). */
  readonly env: SyncEnv;
  /** Starts a new worker: an environment with caches of its own. */
  restart(): SyncEnv;
  /**
   * Runs one activity's work until it succeeds, at most `maxAttempts` tries (default 3): a try
   * that fails is tried again with what it reported, on a fresh worker if the worker died. A
   * permanent or configuration error is not tried again, as for a Temporal activity.
   */
  activity<T>(
    work: (env: SyncEnv, progress: Progress) => Promise<T>,
    options?: { maxAttempts?: number },
  ): Promise<{ result: T; tries: TestProgress[] }>;
  /** One round of a kind, segment by segment, each segment an activity. */
  round(
    cycleId: string,
    objectType: ObjectType,
    kind: RoundKind,
    startLink: string | null,
  ): Promise<{ deltaLink: string | null; kind: RoundKind }>;
  /** Begins the app's next cycle (as its own activity). */
  begin(): Promise<BeginCycleResult>;
  /** A whole cycle, in the order the cycle workflow runs its activities; `before` is told each activity (but the first) before it starts. */
  cycle(options?: { before?: (activity: CycleActivity) => void }): Promise<CycleSummary & { cycleId: string }>;
  /** The app's provisioning log, oldest first. */
  log(): Promise<ProvisioningLogEntry[]>;
  anchors(objectType?: ObjectType): Promise<Anchor[]>;
}

const DEFAULT_APP: AppInput = {
  displayName: 'Engine test app',
  source: { type: 'graph', tenantId: 'tenant-1', clientId: 'client-1', clientSecret: 'graph-client-secret' },
  target: { type: 'scim', baseUrl: 'https://target.example/scim/v2', auth: { type: 'bearer', token: 'target-bearer-token' } },
  deprovisioning: { threshold: null },
};

/** An app of the engine's defaults with `app` over them, in `store` only (no job, directory or target). */
export async function storeApp(store: Store, app: Partial<AppInput> = {}): Promise<AppConfig> {
  const { config, secrets } = splitSecrets(appInputSchema.parse({ ...DEFAULT_APP, ...app }));
  return store.apps.create(config, secrets);
}

/** A new app on `store` with its own directory and target, and a worker for it. */
export async function startEngine(store: Store, options: EngineOptions = {}): Promise<TestEngine> {
  const directory = new MemoryDirectory(options.pageSize);
  const target = memoryTarget(options.target);
  const watched = watchedStore(store);
  let at = Date.now();
  const clock = { now: () => new Date(at), advance: (ms: number) => void (at += ms) };

  const { config, secrets } = splitSecrets(appInputSchema.parse({ ...DEFAULT_APP, ...options.app }));
  // Known capabilities, so that a cycle does not read the target's discovery endpoints.
  const discovered = { ...CONSERVATIVE_PROFILE, patch: true, discoveredAt: clock.now().toISOString() };
  const app = await store.apps.create(
    { ...config, capabilities: { overrides: config.capabilities?.overrides ?? {}, discovered } },
    secrets,
  );

  const alerts: AlertEvent[] = [];
  const restart = () =>
    createSyncEnv({
      store: watched.store,
      clients: {
        source: () => directory,
        target: (appConfig, appSecrets, observer) =>
          scimClientFor(appConfig, appSecrets, {
            fetch: target.fetch,
            ...(observer && { onRequest: observer.onRequest, onBudgetWait: observer.onBudgetWait }),
          }),
      },
      ...(options.metrics && { metrics: options.metrics }),
      logger: createLogger({ level: 'silent' }),
      now: clock.now,
      alerter: createAlerter({
        store,
        logger: createLogger({ level: 'silent' }),
        deliverer: createAlertDeliverer({
          store,
          channels: [{ name: 'webhook', deliver: async (event) => void alerts.push(event as AlertEvent) }],
          logger: createLogger({ level: 'silent' }),
          now: clock.now,
        }),
      }),
      ...(options.groupSize !== undefined && { groupSize: options.groupSize }),
      ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
    });
  let env = restart();
  let cycles = 0;

  const engine: TestEngine = {
    appId: app.id,
    directory,
    target,
    watched,
    store,
    clock,
    alerts,
    retried: [],
    get env() {
      return env;
    },
    restart() {
      env = restart();
      return env;
    },
    async activity(work, { maxAttempts = 3 } = {}) {
      const tries = [testProgress()];
      for (;;) {
        const progress = tries.at(-1)!;
        try {
          const result = await work(env, progress);
          if (tries.length > 1) engine.retried.push(tries);
          return { result, tries };
        } catch (error) {
          const final = error instanceof ProvisioningError && (error.kind === 'permanent' || error.kind === 'configuration');
          if (final || progress.attempt >= maxAttempts) throw error;
          if (error instanceof WorkerDied) {
            watched.revive();
            engine.restart();
          }
          tries.push(testProgress(progress));
        }
      }
    },
    async round(cycleId, objectType, kind, startLink) {
      let link = startLink;
      let resyncs = 0;
      for (;;) {
        const { result: page }: { result: PageResult } = await engine.activity((e, progress) =>
          processPage(e, { appId: app.id, cycleId, objectType, kind, link }, progress),
        );
        if (page.resync) {
          if (++resyncs > 1) throw new Error('the source refused a fresh delta round');
          kind = 'initial';
          link = null;
          continue;
        }
        if (page.nextLink) {
          link = page.nextLink;
          continue;
        }
        return { deltaLink: page.deltaLink, kind };
      }
    },
    async begin() {
      const n = ++cycles;
      return (await engine.activity((e) => beginCycle(e, { appId: app.id, n }))).result;
    },
    async cycle({ before = () => {} } = {}) {
      const begun = await engine.begin();
      const { cycleId } = begun;
      before('users');
      const users = await engine.round(cycleId, 'user', begun.kind, begun.startLink);
      if (begun.kind === 'incremental') {
        before('assignments');
        await engine.activity((e, progress) => reconcileAssignments(e, app.id, cycleId, progress));
      }
      before('escrow');
      await engine.activity((e, progress) => retryEscrow(e, app.id, cycleId, progress));
      let groups: { deltaLink: string | null; kind: RoundKind } | null = null;
      if (begun.groups) {
        before('groups');
        groups = await engine.round(cycleId, 'group', begun.groups.kind, begun.groups.startLink);
      }
      if (begun.groups || begun.references) {
        before('references');
        await engine.activity((e, progress) => resolveCycleReferences(e, app.id, cycleId, progress));
      }
      before('finish');
      const { result: summary } = await engine.activity((e) =>
        finishCycle(e, {
          appId: app.id,
          cycleId,
          kind: begun.kind,
          startedAt: begun.startedAt,
          deltaLink: users.deltaLink,
          groups,
          error: null,
        }),
      );
      return { ...summary, cycleId };
    },
    async log() {
      const entries: ProvisioningLogEntry[] = [];
      for (let cursor: string | undefined; ;) {
        const page = await store.provisioningLog.query({ appId: app.id, limit: 500, ...(cursor && { cursor }) });
        entries.push(...page.items);
        if (!page.nextCursor) return entries.reverse();
        cursor = page.nextCursor;
      }
    },
    async anchors(objectType) {
      const anchors: Anchor[] = [];
      for (let cursor: string | undefined; ;) {
        const page = await store.anchors.listByApp(app.id, { limit: 1000, ...(objectType && { objectType }), ...(cursor && { cursor }) });
        anchors.push(...page.items);
        if (!page.nextCursor) return anchors;
        cursor = page.nextCursor;
      }
    },
  };
  return engine;
}

/** A directory user's attributes, named after `name`: `u1` is `u1@contoso.test`. */
export function person(name: string): Record<string, string | boolean> {
  return {
    userPrincipalName: `${name}@contoso.test`,
    displayName: `Person ${name}`,
    mail: `${name}@contoso.test`,
    givenName: 'Person',
    surname: name,
    accountEnabled: true,
  };
}

/** The target's groups by display name, each with its members' userNames (sorted; a member listed twice shows twice). */
export function targetGroups(target: MemoryTarget): Record<string, string[]> {
  const userNames = new Map(target.list('Users').map((user) => [user.id!, String(user.userName)]));
  return Object.fromEntries(
    target
      .list('Groups')
      .map((group) => [
        String(group.displayName),
        ((group.members as { value: string }[] | undefined) ?? []).map((member) => userNames.get(member.value) ?? member.value).sort(),
      ]),
  );
}

/** What a crash or a retry must never leave behind; each list is empty when all is well. */
export async function leftovers(engine: TestEngine): Promise<{
  anchorsWithoutLogEntry: string[];
  duplicateUsers: string[];
  duplicateGroups: string[];
  duplicateMembers: string[];
}> {
  const logged = new Set((await engine.log()).map((entry) => `${entry.objectType}:${entry.sourceId}`));
  const repeated = (values: string[]) => [...new Set(values.filter((value, i) => values.indexOf(value) !== i))];
  return {
    anchorsWithoutLogEntry: (await engine.anchors())
      .map((anchor) => `${anchor.objectType}:${anchor.sourceId}`)
      .filter((key) => !logged.has(key)),
    duplicateUsers: repeated(engine.target.list('Users').map((user) => String(user.userName).toLowerCase())),
    duplicateGroups: repeated(engine.target.list('Groups').map((group) => String(group.displayName).toLowerCase())),
    duplicateMembers: Object.entries(targetGroups(engine.target)).flatMap(([group, members]) =>
      repeated(members).map((member) => `${group}: ${member}`),
    ),
  };
}

export const NOTHING_LEFT_OVER = { anchorsWithoutLogEntry: [], duplicateUsers: [], duplicateGroups: [], duplicateMembers: [] };
