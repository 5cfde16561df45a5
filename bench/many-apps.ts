/**
 * The many-apps benchmark: A apps (default 200) of U users each (default 500), their initial
 * cycles started together on one worker, against the same A × U users in one app.
 *
 * Phase 1: the directory holds U users; A apps are created at once, each with its own empty
 * tenant. Every app's progress is polled: when it first showed progress and when its initial
 * cycle ended. Fair share means no app waits for the others to end: the last app to begin
 * begins before the first one finishes, and the finishes lie close together.
 * Phase 2: the directory grows to A × U users, and one app provisions all of them.
 * The ratio is phase 1's wall time over phase 2's (goal ≤ 1.2). Every tenant is counted at the end.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../src/tools/index';
import type { CycleSummary } from '../src/sync/contract';
import { addPeople } from '../test/support/people';
import {
  round,
  runEnvironment,
  sleep,
  startEnvironment,
  waitForCycle,
  type EnvironmentOptions,
  type Log,
  type RunEnvironment,
} from './environment';
import { listUserNames } from './target';
import type { Teardown } from './teardown';

export interface ManyAppsOptions extends EnvironmentOptions {
  apps: number;
  users: number;
  timeoutMinutes: number;
}

interface AppTimes {
  /** Seconds from the start until the app's cycle first reported processed objects. */
  beganSeconds: number;
  /** Seconds from the start until its initial cycle ended. */
  finishedSeconds: number;
}

export interface ManyAppsResult {
  benchmark: 'many-apps';
  apps: number;
  usersPerApp: number;
  database: string;
  environment: RunEnvironment;
  manyApps: {
    wallSeconds: number;
    usersPerSecond: number;
    /** Seconds from the start until each app began, and ended: minimum, median, maximum. */
    began: { min: number; p50: number; max: number };
    finished: { min: number; p50: number; max: number };
    /** The last app to begin began before the first one finished. */
    noAppWaitedForOthers: boolean;
    workerPeakRssMb: number | undefined;
  };
  oneApp: { users: number; wallSeconds: number; usersPerSecond: number };
  /** Phase 1's wall time over phase 2's. */
  ratio: number;
  goals: { ratioAtMost: number; ratioMet: boolean; fairShareMet: boolean };
}

const GOALS = { ratioAtMost: 1.2 };

function spread(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: round(sorted[0]!, 1), p50: round(sorted[Math.floor(sorted.length / 2)]!, 1), max: round(sorted.at(-1)!, 1) };
}

export async function runManyApps(options: ManyAppsOptions, teardown: Teardown, log: Log): Promise<ManyAppsResult> {
  const startedAt = new Date();
  const env = await startEnvironment(options, teardown, log);
  const { graph, worker, jobs } = env;
  addPeople(graph, options.users);
  const deadline = Date.now() + options.timeoutMinutes * 60_000;

  // --- phase 1: A apps at once ---
  log(`many apps: creating ${options.apps} apps of ${options.users} users each at once`);
  const tenants = Array.from({ length: options.apps }, (_, i) => env.tenant(`app${i}-`));
  const t0 = Date.now();
  const appIds = await Promise.all(tenants.map((tenant, i) => env.createApp(tenant, { displayName: `bench many-apps ${i}` })));
  const times = new Map<string, Partial<AppTimes>>(appIds.map((id) => [id, {}]));
  const cycles = new Map<string, CycleSummary>();
  let lastPrint = Date.now();
  while (cycles.size < appIds.length) {
    if (Date.now() > deadline) throw new Error(`only ${cycles.size} of ${appIds.length} apps finished within the timeout`);
    if (!worker.running()) throw new Error('the worker process exited during the cycles');
    const pending = appIds.filter((id) => !cycles.has(id));
    // Polled a few at a time: the queries themselves must not become the load.
    for (let at = 0; at < pending.length; at += 20) {
      await Promise.all(
        pending.slice(at, at + 20).map(async (id) => {
          const status = await jobs.status(id).catch(() => undefined);
          const seen = (Date.now() - t0) / 1000;
          const entry = times.get(id)!;
          if (entry.beganSeconds === undefined && ((status?.currentCycle?.processed ?? 0) > 0 || status?.lastCycle))
            entry.beganSeconds = seen;
          if (status?.lastCycle) {
            cycles.set(id, status.lastCycle);
            entry.finishedSeconds = (Date.parse(status.lastCycle.finishedAt) - t0) / 1000;
          }
        }),
      );
    }
    if (Date.now() - lastPrint >= 5000) {
      lastPrint = Date.now();
      const began = [...times.values()].filter((t) => t.beganSeconds !== undefined).length;
      log(
        `  ${began} apps begun, ${cycles.size} finished after ${((Date.now() - t0) / 1000).toFixed(0)} s, worker RSS ${worker.memory().currentRssMb?.toFixed(0) ?? '?'} MB`,
      );
    }
    await sleep(500);
  }
  const manyWall = Math.max(...[...times.values()].map((t) => t.finishedSeconds!));
  const memory = worker.memory();
  for (const [id, cycle] of cycles) {
    if (cycle.state !== 'succeeded' || cycle.counts.created !== options.users || cycle.counts.failed !== 0)
      throw new Error(`app ${id}: the initial cycle did not create exactly ${options.users} users: ${JSON.stringify(cycle)}`);
  }
  log(`many apps: all ${options.apps} finished in ${manyWall.toFixed(1)} s; checking the tenants`);
  for (const tenant of tenants) {
    const names = await listUserNames(env.scimClient(tenant));
    if (names.length !== options.users || new Set(names).size !== options.users)
      throw new Error(`${tenant} holds ${names.length} users (${new Set(names).size} distinct), expected ${options.users}`);
  }
  await Promise.all(appIds.map((id) => jobs.stop(id)));

  // --- phase 2: the same users in one app ---
  const total = options.apps * options.users;
  log(`one app: the directory grows to ${total} users; one app provisions them all`);
  addPeople(graph, total - options.users, options.users);
  const tenant = env.tenant('one-app-');
  const t1 = Date.now();
  const appId = await env.createApp(tenant, { displayName: 'bench many-apps, one app' });
  const cycle = await waitForCycle({ env, appId, expected: total, startedAt: t1, deadline, log });
  const oneWall = (Date.parse(cycle.finishedAt) - t1) / 1000;
  if (cycle.state !== 'succeeded' || cycle.counts.created !== total || cycle.counts.failed !== 0)
    throw new Error(`the one app did not create exactly ${total} users: ${JSON.stringify(cycle)}`);
  const oneNames = await listUserNames(env.scimClient(tenant));
  if (oneNames.length !== total) throw new Error(`the one app's tenant holds ${oneNames.length} users, expected ${total}`);
  await jobs.stop(appId);

  // An app seen first when it had already finished began no later than it finished.
  const began = spread([...times.values()].map((t) => Math.min(t.beganSeconds ?? Infinity, t.finishedSeconds!)));
  const finished = spread([...times.values()].map((t) => t.finishedSeconds!));
  const noAppWaitedForOthers = began.max < finished.min;
  const ratio = manyWall / oneWall;
  return {
    benchmark: 'many-apps',
    apps: options.apps,
    usersPerApp: options.users,
    database: env.database,
    environment: runEnvironment(startedAt),
    manyApps: {
      wallSeconds: round(manyWall, 1),
      usersPerSecond: round(total / manyWall, 1),
      began,
      finished,
      noAppWaitedForOthers,
      workerPeakRssMb: memory.peakRssMb && round(memory.peakRssMb, 1),
    },
    oneApp: { users: total, wallSeconds: round(oneWall, 1), usersPerSecond: round(total / oneWall, 1) },
    ratio: round(ratio, 3),
    goals: { ...GOALS, ratioMet: ratio <= GOALS.ratioAtMost, fairShareMet: noAppWaitedForOthers },
  };
}

export function formatManyApps(r: ManyAppsResult): string {
  const m = r.manyApps;
  return [
    '',
    `many-apps: ${r.apps} apps × ${r.usersPerApp} users (${r.database})`,
    `  ${r.apps} apps at once: ${m.wallSeconds} s, ${m.usersPerSecond} users/s, worker peak RSS ${m.workerPeakRssMb ?? '?'} MB`,
    `    began after  min ${m.began.min} s, median ${m.began.p50} s, max ${m.began.max} s`,
    `    finished at  min ${m.finished.min} s, median ${m.finished.p50} s, max ${m.finished.max} s`,
    `    no app waited for the others to end: ${m.noAppWaitedForOthers ? 'yes' : 'NO'}`,
    `  one app of ${r.oneApp.users} users: ${r.oneApp.wallSeconds} s, ${r.oneApp.usersPerSecond} users/s`,
    `  ratio (many ÷ one): ${r.ratio} (goal ≤ ${r.goals.ratioAtMost}: ${r.goals.ratioMet ? 'met' : 'NOT met'})`,
    '',
  ].join('\n');
}

export async function writeManyApps(result: ManyAppsResult): Promise<string> {
  const dir = join(projectRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `many-apps-${result.apps}x${result.usersPerApp}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
