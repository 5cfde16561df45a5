/**
 * The groups benchmark, in two phases against one app. Initial: N users and G groups (members
 * drawn from the users with a fixed seed) provisioned by scimflow into an empty SCIM tenant.
 * Incremental: after a share of the users changed attributes and a share of the memberships
 * changed, the next (delta) cycle. Each phase's end state is checked in the tenant. Then the
 * fewest requests that reach the same two end states are sent by a plain loop into a fresh
 * tenant at the same concurrency (raw-groups.ts), and checked the same way.
 */
import type { CycleSummary } from '../src/sync/contract';
import { cpuBetween, cpuSnapshot } from './cpu';
import {
  progress,
  requestCounts,
  round,
  runEnvironment,
  startEnvironment,
  waitForCycle,
  type BenchEnvironment,
  type EnvironmentOptions,
  type Log,
  type RequestCounts,
  type RunEnvironment,
} from './environment';
import { changeDirectory, fillDirectory, membershipCount, seededRandom, type GroupDirectory } from './group-directory';
import { rawIncremental, rawInitial } from './raw-groups';
import { countRequest, emptyTally, tallySince, type ScimTally } from './scim-tally';
import { checkTenant, type TenantCheck } from './target';
import type { Teardown } from './teardown';

export interface GroupsOptions extends EnvironmentOptions {
  users: number;
  groups: number;
  /** Mean members per group. */
  membersPerGroup: number;
  /** Member changes per PATCH, for scimflow (as a capability override) and the raw loop alike. */
  membersPerPatch: number;
  seed: number;
  timeoutMinutes: number;
}

export interface PhaseRequests extends RequestCounts {
  perObject: number;
}

export interface ScimflowPhase {
  /** From the app's creation (initial) or the run request (incremental) to the cycle's end. */
  wallSeconds: number;
  objectsPerSecond: number;
  cycle: CycleSummary;
  scimRequests: PhaseRequests;
  graphRequests: number;
  /** Peak RSS of the worker process during the phase: VmHWM (reset before the phase) and the highest sampled VmRSS. */
  worker: { peakRssMb: number | undefined; sampledPeakRssMb: number | undefined };
  cpuSeconds: Record<string, number>;
}

export interface RawPhase {
  wallSeconds: number;
  objectsPerSecond: number;
  scimRequests: PhaseRequests;
  cpuSeconds: Record<string, number>;
}

export interface GroupsPhase {
  /** Objects the phase writes: users and groups created (initial), or changed users and groups with member changes (incremental). */
  objects: number;
  users: number;
  groups: number;
  /** Memberships written (initial), or added and removed (incremental). */
  memberships: { added: number; removed: number };
  scimflow: ScimflowPhase;
  raw: RawPhase;
  /** scimflow objects/s ÷ raw objects/s. */
  ratio: number;
  /** What both tenants held at the end of the phase. */
  endState: TenantCheck;
}

export interface GroupsResult {
  benchmark: 'groups';
  users: number;
  groups: number;
  membersPerGroup: number;
  membersPerPatch: number;
  seed: number;
  concurrency: number;
  graphPageSize: number;
  database: string;
  environment: RunEnvironment;
  /** Seconds spent starting servers and filling the directory (not measured further). */
  setupSeconds: number;
  /** Worker VmRSS once started, before the app existed. */
  idleRssMb: number | undefined;
  initial: GroupsPhase;
  incremental: GroupsPhase;
}

/** Shares of the users and of the memberships that change before the incremental cycle. */
const CHANGED_USERS = 0.01;
const CHANGED_MEMBERSHIPS = 0.01;

function phaseRequests(tally: ScimTally, objects: number): PhaseRequests {
  const { total, ...rest } = requestCounts(tally);
  return { total, perObject: round(total / objects, 3), ...rest };
}

/** A copy of the directory as it is now, kept while the benchmark changes the original. */
function snapshot(directory: GroupDirectory): GroupDirectory {
  return { users: [...directory.users], groups: directory.groups.map((group) => ({ ...group, members: new Set(group.members) })) };
}

/** Runs one scimflow cycle (`start` creates the app or asks for a run) and measures it as a phase. */
async function scimflowPhase(options: {
  env: BenchEnvironment;
  start: () => Promise<string>;
  previous?: CycleSummary;
  objects: number;
  timeoutMinutes: number;
  log: Log;
}): Promise<{ appId: string; phase: ScimflowPhase; scim: ScimTally }> {
  const { env, log } = options;
  const before = await env.worker.report();
  const graphBefore = env.graph.requests.length;
  env.worker.resetPeak();
  const cpuBefore = cpuSnapshot(env.pids);
  const t0 = Date.now();
  const appId = await options.start();
  const cycle = await waitForCycle({
    env,
    appId,
    ...(options.previous && { previousId: options.previous.id }),
    expected: options.objects,
    startedAt: t0,
    deadline: t0 + options.timeoutMinutes * 60_000,
    log,
  });
  const wallSeconds = (Date.parse(cycle.finishedAt) - t0) / 1000;
  const cpuSeconds = cpuBetween(cpuBefore, cpuSnapshot(env.pids));
  const memory = env.worker.memory();
  const scim = tallySince(await env.worker.report(), before);
  log(`scimflow: ${cycle.kind} cycle ${cycle.state} in ${wallSeconds.toFixed(1)} s: ${JSON.stringify(cycle.counts)}`);
  if (cycle.state !== 'succeeded' || cycle.counts.failed !== 0)
    throw new Error(`the ${cycle.kind} cycle did not succeed: ${JSON.stringify(cycle)}`);
  return {
    appId,
    scim,
    phase: {
      wallSeconds: round(wallSeconds),
      objectsPerSecond: round(options.objects / wallSeconds, 1),
      cycle,
      scimRequests: phaseRequests(scim, options.objects),
      graphRequests: env.graph.requests.length - graphBefore,
      worker: {
        peakRssMb: memory.peakRssMb && round(memory.peakRssMb, 1),
        sampledPeakRssMb: memory.sampledPeakRssMb && round(memory.sampledPeakRssMb, 1),
      },
      cpuSeconds,
    },
  };
}

/** Runs one raw phase and measures it. */
async function rawPhase(
  env: BenchEnvironment,
  objects: number,
  scim: ScimTally,
  run: () => Promise<{ seconds: number }>,
): Promise<RawPhase> {
  const before = structuredClone(scim);
  const cpuBefore = cpuSnapshot(env.pids);
  const { seconds } = await run();
  return {
    wallSeconds: round(seconds),
    objectsPerSecond: round(objects / seconds, 1),
    scimRequests: phaseRequests(tallySince(scim, before), objects),
    cpuSeconds: cpuBetween(cpuBefore, cpuSnapshot(env.pids)),
  };
}

function sameCheck(scimflow: TenantCheck, raw: TenantCheck): TenantCheck {
  if (JSON.stringify(scimflow) !== JSON.stringify(raw))
    throw new Error(`the two tenants differ: scimflow ${JSON.stringify(scimflow)}, raw ${JSON.stringify(raw)}`);
  return scimflow;
}

export async function runGroups(options: GroupsOptions, teardown: Teardown, log: Log): Promise<GroupsResult> {
  const { concurrency, membersPerPatch } = options;
  const startedAt = new Date();
  const setupStarted = performance.now();
  const env = await startEnvironment(options, teardown, log);
  const idleRssMb = env.worker.memory().currentRssMb;

  log(
    `filling the Graph fake with ${options.users} users and ${options.groups} groups of ${options.membersPerGroup} members on average (seed ${options.seed})`,
  );
  const random = seededRandom(options.seed);
  const directory = fillDirectory(env.graph, {
    users: options.users,
    groups: options.groups,
    meanMembers: options.membersPerGroup,
    random,
  });
  const initialState = snapshot(directory);
  const initialMemberships = membershipCount(directory.groups);
  const scimflowTenant = env.tenant('scimflow');
  const rawTenant = env.tenant('raw');
  const setupSeconds = (performance.now() - setupStarted) / 1000;

  // --- scimflow, initial: from the app's creation to the end of its initial cycle ---
  const initialObjects = options.users + options.groups;
  log(
    `scimflow: creating the app; its initial cycle provisions ${options.users} users, ${options.groups} groups and ${initialMemberships} memberships`,
  );
  const initial = await scimflowPhase({
    env,
    objects: initialObjects,
    timeoutMinutes: options.timeoutMinutes,
    log,
    start: () =>
      env.createApp(scimflowTenant, {
        displayName: `bench groups ${options.users}/${options.groups}`,
        groups: { enabled: true },
        capabilities: { overrides: { maxMembersPerPatch: membersPerPatch } },
      }),
  });
  const { appId } = initial;
  const created = initial.phase.cycle.counts.created;
  if (created !== initialObjects)
    throw new Error(`the initial cycle created ${created} objects, expected ${initialObjects} users and groups`);
  log('checking the scimflow tenant after the initial cycle');
  const scimflowInitial = await checkTenant(env.scimClient(scimflowTenant), initialState, 'the scimflow tenant after the initial cycle');

  // --- scimflow, incremental: the next cycle after the directory changed ---
  const changes = changeDirectory(env.graph, directory, { userShare: CHANGED_USERS, membershipShare: CHANGED_MEMBERSHIPS, random });
  const incrementalObjects = changes.users.length + changes.members.size;
  log(
    `directory changed: ${changes.users.length} users, ${changes.added} memberships added and ${changes.removed} removed in ${changes.members.size} groups; ` +
      'scimflow: running the next cycle',
  );
  const incremental = await scimflowPhase({
    env,
    objects: incrementalObjects,
    previous: initial.phase.cycle,
    timeoutMinutes: options.timeoutMinutes,
    log,
    start: async () => {
      await env.jobs.runNow(appId);
      return appId;
    },
  });
  if (incremental.phase.cycle.kind !== 'incremental')
    throw new Error(`the second cycle was ${incremental.phase.cycle.kind}, not incremental`);
  // The worker's work is done: stop it so the baseline has the machine to itself.
  await env.jobs.stop(appId);
  await env.worker.stop();
  log('checking the scimflow tenant after the incremental cycle');
  const scimflowFinal = await checkTenant(env.scimClient(scimflowTenant), directory, 'the scimflow tenant after the incremental cycle');

  // --- the baseline: the fewest requests for the same end states, from a plain loop ---
  const rawScim = emptyTally();
  const rawClient = env.scimClient(rawTenant, (info) => countRequest(rawScim, info));
  log(`raw loop: creating the same users and groups in a fresh tenant (concurrency ${concurrency})`);
  let targetIds: Awaited<ReturnType<typeof rawInitial>>['targetIds'] | undefined;
  const rawInitialPhase = await rawPhase(env, initialObjects, rawScim, async () => {
    const done = await rawInitial({
      client: rawClient,
      directory: initialState,
      limit: membersPerPatch,
      concurrency,
      onProgress: progress(log, 'raw loop', initialObjects),
    });
    targetIds = done.targetIds;
    return done;
  });
  log(`raw loop: initial writes done in ${rawInitialPhase.wallSeconds.toFixed(1)} s; checking the raw tenant`);
  const rawInitialCheck = await checkTenant(env.scimClient(rawTenant), initialState, 'the raw tenant after the initial writes');
  const rawIncrementalPhase = await rawPhase(env, incrementalObjects, rawScim, () =>
    rawIncremental({ client: rawClient, changes, targetIds: targetIds!, limit: membersPerPatch, concurrency }),
  );
  log(`raw loop: incremental writes done in ${rawIncrementalPhase.wallSeconds.toFixed(1)} s; checking the raw tenant`);
  const rawFinalCheck = await checkTenant(env.scimClient(rawTenant), directory, 'the raw tenant after the incremental writes');

  const phase = (
    objects: number,
    counts: { users: number; groups: number; added: number; removed: number },
    scimflow: ScimflowPhase,
    raw: RawPhase,
    endState: TenantCheck,
  ): GroupsPhase => ({
    objects,
    users: counts.users,
    groups: counts.groups,
    memberships: { added: counts.added, removed: counts.removed },
    scimflow,
    raw,
    // The same objects on both sides: the ratio of the rates is the inverse ratio of the times.
    ratio: round(raw.wallSeconds / scimflow.wallSeconds, 3),
    endState,
  });
  return {
    benchmark: 'groups',
    users: options.users,
    groups: options.groups,
    membersPerGroup: options.membersPerGroup,
    membersPerPatch,
    seed: options.seed,
    concurrency,
    graphPageSize: options.pageSize,
    database: env.database,
    environment: runEnvironment(startedAt),
    setupSeconds: round(setupSeconds, 1),
    idleRssMb: idleRssMb && round(idleRssMb, 1),
    initial: phase(
      initialObjects,
      { users: options.users, groups: options.groups, added: initialMemberships, removed: 0 },
      initial.phase,
      rawInitialPhase,
      sameCheck(scimflowInitial, rawInitialCheck),
    ),
    incremental: phase(
      incrementalObjects,
      { users: changes.users.length, groups: changes.members.size, added: changes.added, removed: changes.removed },
      incremental.phase,
      rawIncrementalPhase,
      sameCheck(scimflowFinal, rawFinalCheck),
    ),
  };
}
