/**
 * The initial-sync benchmark: N directory users provisioned by scimflow into an empty SCIM
 * tenant (the worker alone in a child process), then the same creates from a plain client loop
 * into a second empty tenant of the same server, at the same concurrency.
 */
import type { ScimClient } from '../src/scim/index';
import { addPeople } from '../test/support/people';
import type { CycleSummary } from '../src/sync/contract';
import { cpuBetween, cpuSnapshot } from './cpu';
import {
  progress,
  requestCounts,
  round,
  runEnvironment,
  startEnvironment,
  waitForCycle,
  type EnvironmentOptions,
  type Log,
  type RequestCounts,
  type RunEnvironment,
} from './environment';
import { createResources, rawCreateUsers } from './raw-loop';
import { countRequest, emptyTally, type ScimTally } from './scim-tally';
import { listUserNames } from './target';
import type { Teardown } from './teardown';

export interface InitialSyncOptions extends EnvironmentOptions {
  users: number;
  timeoutMinutes: number;
}

export interface RequestFigures extends RequestCounts {
  perUser: number;
}

export interface InitialSyncResult {
  benchmark: 'initial-sync';
  users: number;
  concurrency: number;
  graphPageSize: number;
  database: string;
  environment: RunEnvironment;
  /** Seconds spent starting servers and filling the directory (not measured further). */
  setupSeconds: number;
  scimflow: {
    /** From the app's creation (API call) to the initial cycle's end. */
    wallSeconds: number;
    usersPerSecond: number;
    cycle: CycleSummary;
    scimRequests: RequestFigures;
    graphRequests: number;
    /** Peak RSS of the worker process (VmHWM), the highest sampled VmRSS, and VmRSS once started, before the app existed. */
    worker: { peakRssMb: number | undefined; sampledPeakRssMb: number | undefined; idleRssMb: number | undefined };
    /** CPU seconds per process during the cycle; the machine has `environment.cpus` cores. */
    cpuSeconds: Record<string, number>;
  };
  raw: { wallSeconds: number; usersPerSecond: number; scimRequests: RequestFigures; cpuSeconds: Record<string, number> };
  /** scimflow users/s ÷ raw users/s. */
  ratio: number;
  goals: { ratioAtLeast: number; requestsPerUserAtMost: number; ratioMet: boolean; requestsPerUserMet: boolean };
}

const GOALS = { ratioAtLeast: 0.8, requestsPerUserAtMost: 1.1 };

function requestFigures(tally: ScimTally, users: number): RequestFigures {
  const { total, ...rest } = requestCounts(tally);
  return { total, perUser: round(total / users, 3), ...rest };
}

async function expectUsers(client: ScimClient, users: number, what: string): Promise<string[]> {
  const names = await listUserNames(client);
  if (names.length !== users) throw new Error(`${what} holds ${names.length} users, expected exactly ${users}`);
  return names;
}

export async function runInitialSync(options: InitialSyncOptions, teardown: Teardown, log: Log): Promise<InitialSyncResult> {
  const { users, concurrency } = options;
  const startedAt = new Date();
  const setupStarted = performance.now();

  const env = await startEnvironment(options, teardown, log);
  const { graph, worker, jobs, pids } = env;
  const idleRssMb = worker.memory().currentRssMb;
  log(`filling the Graph fake with ${users} users`);
  const records = addPeople(graph, users);
  const scimflowTenant = env.tenant('scimflow');
  const rawTenant = env.tenant('raw');
  const setupSeconds = (performance.now() - setupStarted) / 1000;

  // --- scimflow: from the app's creation to the end of its initial cycle ---
  log(
    `scimflow: creating the app; its initial cycle provisions ${users} users (concurrency ${concurrency}, Graph pages of ${options.pageSize})`,
  );
  const cpuBefore = cpuSnapshot(pids);
  const t0 = Date.now();
  const appId = await env.createApp(scimflowTenant, { displayName: `bench initial-sync ${users}` });

  const cycle = await waitForCycle({ env, appId, expected: users, startedAt: t0, deadline: t0 + options.timeoutMinutes * 60_000, log });
  const wallSeconds = (Date.parse(cycle.finishedAt) - t0) / 1000;
  const cpuScimflow = cpuBetween(cpuBefore, cpuSnapshot(pids));
  const memory = worker.memory();
  const scimflowRequests = await worker.report();
  const graphRequests = graph.requests.length;
  log(`scimflow: cycle ${cycle.state} in ${wallSeconds.toFixed(1)} s: ${JSON.stringify(cycle.counts)}`);
  if (cycle.state !== 'succeeded' || cycle.counts.created !== users || cycle.counts.failed !== 0) {
    throw new Error(`the initial cycle did not create exactly ${users} users: ${JSON.stringify(cycle)}`);
  }
  // The worker's work is done: stop it so the baseline has the machine to itself.
  await jobs.stop(appId);
  await worker.stop();

  log('checking the scimflow tenant');
  const scimflowNames = await expectUsers(env.scimClient(scimflowTenant), users, 'the scimflow tenant');

  // --- the baseline: the same creates from a plain loop ---
  log(`raw loop: creating the same ${users} users in a fresh tenant (concurrency ${concurrency})`);
  const resources = createResources(records);
  const cpuBeforeRaw = cpuSnapshot(pids);
  const rawScim = emptyTally();
  const raw = await rawCreateUsers({
    client: env.scimClient(rawTenant, (info) => countRequest(rawScim, info)),
    resources,
    concurrency,
    onProgress: progress(log, 'raw loop', users),
  });
  const cpuRaw = cpuBetween(cpuBeforeRaw, cpuSnapshot(pids));
  log(`raw loop: done in ${raw.seconds.toFixed(1)} s`);

  log('checking the raw tenant');
  const rawNames = await expectUsers(env.scimClient(rawTenant), users, 'the raw tenant');
  const scimflowSet = new Set(scimflowNames);
  const missing = rawNames.filter((name) => !scimflowSet.has(name));
  if (missing.length)
    throw new Error(
      `the two tenants differ: ${missing.length} users of the raw tenant are not in the scimflow tenant, e.g. ${missing.slice(0, 3).join(', ')}`,
    );

  const scimflowRate = users / wallSeconds;
  const rawRate = users / raw.seconds;
  const scimRequests = requestFigures(scimflowRequests, users);
  const ratio = scimflowRate / rawRate;
  return {
    benchmark: 'initial-sync',
    users,
    concurrency,
    graphPageSize: options.pageSize,
    database: env.database,
    environment: runEnvironment(startedAt),
    setupSeconds: round(setupSeconds, 1),
    scimflow: {
      wallSeconds: round(wallSeconds),
      usersPerSecond: round(scimflowRate, 1),
      cycle,
      scimRequests,
      graphRequests,
      worker: {
        peakRssMb: memory.peakRssMb && round(memory.peakRssMb, 1),
        sampledPeakRssMb: memory.sampledPeakRssMb && round(memory.sampledPeakRssMb, 1),
        idleRssMb: idleRssMb && round(idleRssMb, 1),
      },
      cpuSeconds: cpuScimflow,
    },
    raw: {
      wallSeconds: round(raw.seconds),
      usersPerSecond: round(rawRate, 1),
      scimRequests: requestFigures(rawScim, users),
      cpuSeconds: cpuRaw,
    },
    ratio: round(ratio, 3),
    goals: { ...GOALS, ratioMet: ratio >= GOALS.ratioAtLeast, requestsPerUserMet: scimRequests.perUser <= GOALS.requestsPerUserAtMost },
  };
}
