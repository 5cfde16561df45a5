/**
 * The initial-sync benchmark: N directory users provisioned by scimflow into an empty SCIM
 * tenant (the worker alone in a child process), then the same creates from a plain client loop
 * into a second empty tenant of the same server, at the same concurrency.
 *
 * Everything it talks to is started here and stopped at the end: a Temporal dev server (in
 * memory), scim2-server, the Graph fake (HTTPS, with its own test CA) and, with a database URL,
 * a fresh PostgreSQL database; otherwise the worker owns an in-memory PGlite store.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createJobControl, type JobControl } from '../api/jobs';
import { ScimClient } from '../src/scim/index';
import { startDevServer } from '../src/temporal/dev-server';
import { bundleWorkflows } from '../src/temporal/worker';
import { startFakeGraph } from '../test/fakes/graph/index';
import { createTestDatabase } from '../test/support/database';
import { addPeople } from '../test/support/people';
import { startScimServer } from '../test/support/scim-server';
import { writeTestCa } from '../test/support/test-ca';
import type { CycleSummary } from '../workflows/app-job-state';
import { cpuBetween, cpuSnapshot } from './cpu';
import { createResources, rawCreateLoop } from './raw-loop';
import { byMethod, type ScimTally } from './scim-tally';
import { listUserNames } from './target';
import type { Teardown } from './teardown';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

export interface InitialSyncOptions {
  users: number;
  concurrency: number;
  /** Graph `$top` of the full listing. */
  pageSize: number;
  /** A PostgreSQL server URL; a fresh database is created on it and dropped afterwards. */
  databaseUrl?: string;
  timeoutMinutes: number;
  /** Write a V8 CPU profile of the worker process into this directory. */
  cpuProfileDir?: string;
}

export interface RequestFigures {
  total: number;
  perUser: number;
  byMethod: Record<string, number>;
  byRequest: Record<string, number>;
  byStatus: Record<string, number>;
  meanLatencyMs: number;
}

export interface InitialSyncResult {
  benchmark: 'initial-sync';
  users: number;
  concurrency: number;
  graphPageSize: number;
  database: string;
  environment: { commit: string; uncommittedChanges: boolean; node: string; cpus: number; cpuModel: string; startedAt: string };
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

type Log = (line: string) => void;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function requestFigures(tally: ScimTally, users: number): RequestFigures {
  return {
    total: tally.total,
    perUser: round(tally.total / users, 3),
    byMethod: byMethod(tally),
    byRequest: tally.byRequest,
    byStatus: tally.byStatus,
    meanLatencyMs: round(tally.total ? tally.totalMs / tally.total : 0, 1),
  };
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** Registers the stop of whatever `starting` starts, as soon as it has started. */
function tracked<T>(teardown: Teardown, name: string, starting: Promise<T>, stop: (started: T) => Promise<unknown>): Promise<T> {
  return starting.then((started) => {
    teardown.add(name, () => stop(started));
    return started;
  });
}

/** Polls the app's job until its first cycle has ended, printing progress now and then. */
async function waitForFirstCycle(options: {
  jobs: JobControl;
  appId: string;
  worker: WorkerProcess;
  users: number;
  startedAt: number;
  deadline: number;
  log: Log;
}): Promise<CycleSummary> {
  const { jobs, appId, worker, log } = options;
  let lastPrint = Date.now();
  let queryFailures = 0;
  for (;;) {
    await sleep(1000);
    if (!worker.running()) throw new Error('the worker process exited during the cycle');
    if (Date.now() > options.deadline) throw new Error('the initial cycle did not finish within the timeout');
    let status: Awaited<ReturnType<JobControl['status']>>;
    try {
      status = await jobs.status(appId);
    } catch (error) {
      // A query can time out while the worker is busy; the next poll asks again.
      if (++queryFailures === 1) log(`  (status query failed, retrying: ${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    if (status?.lastCycle) return status.lastCycle;
    const now = Date.now();
    if (now - lastPrint >= 5000) {
      lastPrint = now;
      const processed = status?.currentCycle?.processed ?? 0;
      const seconds = (now - options.startedAt) / 1000;
      const rss = worker.memory().currentRssMb;
      log(
        `  scimflow: ${processed}/${status?.currentCycle?.total ?? options.users} users after ${seconds.toFixed(0)} s ` +
          `(${(processed / seconds).toFixed(1)} users/s), worker RSS ${rss?.toFixed(0) ?? '?'} MB`,
      );
    }
  }
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

  const tmp = await mkdtemp(join(tmpdir(), 'scimflow-bench-'));
  teardown.add('temporary directory', () => rm(tmp, { recursive: true, force: true }));
  const tlsDir = join(tmp, 'tls');
  await writeTestCa(tlsDir);
  // The Graph fake (in this process) reads its certificate from here; the worker trusts its CA.
  process.env.SCIMFLOW_TEST_TLS_DIR = tlsDir;

  log('starting the Temporal dev server and scim2-server, bundling the workflows');
  const scimToken = randomBytes(16).toString('hex');
  const starting = [
    tracked(teardown, 'Temporal dev server', startDevServer({ headless: true }), (server) => server.stop()),
    tracked(teardown, 'scim2-server', startScimServer({ token: scimToken }), (server) => server.stop()),
    bundleWorkflows(),
  ] as const;
  // Everything that started is registered for teardown before a failure is thrown.
  await Promise.allSettled(starting);
  const [temporal, scim, bundle] = await Promise.all(starting);
  const workflowBundlePath = join(tmp, 'workflow-bundle.js');
  await writeFile(workflowBundlePath, (bundle as { code: string }).code);

  log(`filling the Graph fake with ${users} users`);
  const graph = await startFakeGraph();
  teardown.add('Graph fake', () => graph.close());
  const records = addPeople(graph, users);

  let databaseUrl: string | undefined;
  if (options.databaseUrl) {
    process.env.SCIMFLOW_TEST_POSTGRES_URL = options.databaseUrl;
    const database = await createTestDatabase('scimflow_bench');
    teardown.add('PostgreSQL database', () => database.drop());
    databaseUrl = database.url;
  }

  log('starting the worker process');
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const adminToken = randomBytes(24).toString('base64url');
  const worker = await startWorkerProcess(
    {
      temporalAddress: temporal.address,
      taskQueue,
      adminToken,
      workflowBundlePath,
      ...(databaseUrl && { databaseUrl }),
      concurrency,
      graphPageSize: options.pageSize,
    },
    {
      env: { NODE_EXTRA_CA_CERTS: join(tlsDir, 'ca.pem') },
      ...(options.cpuProfileDir && { execArgv: ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] }),
    },
  );
  teardown.add('worker process', () => worker.stop());
  const idleRssMb = worker.memory().currentRssMb;

  const connection = await Connection.connect({ address: temporal.address });
  teardown.add('Temporal connection', () => connection.close());
  const jobs = createJobControl(new Client({ connection, namespace: 'default' }), taskQueue);

  const pids = { worker: worker.pid, scim2Server: scim.process.pid, temporal: temporal.process.pid, benchAndGraphFake: process.pid };
  const tenant = (name: string) => `${scim.url}/${name}${randomUUID().replaceAll('-', '').slice(0, 8)}/v2`;
  const scimflowTenant = tenant('scimflow');
  const rawTenant = tenant('raw');
  const scimClient = (baseUrl: string) => new ScimClient({ baseUrl, authorization: () => `Bearer ${scimToken}` });
  const setupSeconds = (performance.now() - setupStarted) / 1000;

  // --- scimflow: from the app's creation to the end of its initial cycle ---
  log(`scimflow: creating the app; its initial cycle provisions ${users} users (concurrency ${concurrency}, Graph pages of ${options.pageSize})`);
  const cpuBefore = cpuSnapshot(pids);
  const t0 = Date.now();
  const response = await fetch(`${worker.apiUrl}/api/v1/apps`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      displayName: `bench initial-sync ${users}`,
      source: { ...graph.sourceConfig(), clientSecret: graph.clientSecret },
      target: { type: 'scim', baseUrl: scimflowTenant, auth: { type: 'bearer', token: scimToken } },
      schedule: { intervalMinutes: 7 * 24 * 60 },
    }),
  });
  const app = (await response.json()) as { id?: string };
  if (response.status !== 201 || !app.id) throw new Error(`creating the app failed: ${response.status} ${JSON.stringify(app)}`);
  const appId = app.id;
  teardown.add('app job', () => jobs.stop(appId));

  const cycle = await waitForFirstCycle({ jobs, appId, worker, users, startedAt: t0, deadline: t0 + options.timeoutMinutes * 60_000, log });
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
  const scimflowNames = await expectUsers(scimClient(scimflowTenant), users, 'the scimflow tenant');

  // --- the baseline: the same creates from a plain loop ---
  log(`raw loop: creating the same ${users} users in a fresh tenant (concurrency ${concurrency})`);
  const resources = createResources(records);
  const cpuBeforeRaw = cpuSnapshot(pids);
  let lastPrint = Date.now();
  const rawStarted = Date.now();
  const raw = await rawCreateLoop({
    baseUrl: rawTenant,
    token: scimToken,
    resources,
    concurrency,
    onProgress: (created) => {
      const now = Date.now();
      if (now - lastPrint < 5000) return;
      lastPrint = now;
      log(`  raw loop: ${created}/${users} users after ${((now - rawStarted) / 1000).toFixed(0)} s (${(created / ((now - rawStarted) / 1000)).toFixed(1)} users/s)`);
    },
  });
  const cpuRaw = cpuBetween(cpuBeforeRaw, cpuSnapshot(pids));
  log(`raw loop: done in ${raw.seconds.toFixed(1)} s`);

  log('checking the raw tenant');
  const rawNames = await expectUsers(scimClient(rawTenant), users, 'the raw tenant');
  const scimflowSet = new Set(scimflowNames);
  const missing = rawNames.filter((name) => !scimflowSet.has(name));
  if (missing.length) throw new Error(`the two tenants differ: ${missing.length} users of the raw tenant are not in the scimflow tenant, e.g. ${missing.slice(0, 3).join(', ')}`);

  const scimflowRate = users / wallSeconds;
  const rawRate = users / raw.seconds;
  const scimRequests = requestFigures(scimflowRequests, users);
  const ratio = scimflowRate / rawRate;
  const cpu = cpus();
  return {
    benchmark: 'initial-sync',
    users,
    concurrency,
    graphPageSize: options.pageSize,
    database: databaseUrl ? 'PostgreSQL (fresh database)' : 'PGlite in memory (in the worker process)',
    environment: {
      commit: git(['rev-parse', '--short', 'HEAD']),
      uncommittedChanges: git(['status', '--porcelain', '--untracked-files=no']) !== '',
      node: process.version,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? '',
      startedAt: startedAt.toISOString(),
    },
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
    raw: { wallSeconds: round(raw.seconds), usersPerSecond: round(rawRate, 1), scimRequests: requestFigures(raw.scim, users), cpuSeconds: cpuRaw },
    ratio: round(ratio, 3),
    goals: { ...GOALS, ratioMet: ratio >= GOALS.ratioAtLeast, requestsPerUserMet: scimRequests.perUser <= GOALS.requestsPerUserAtMost },
  };
}
