/**
 * What every benchmark runs against, started here and stopped by the run's teardown: a Temporal
 * dev server (in memory), scim2-server, the Graph fake (HTTPS, with its own test CA), with a
 * database URL a fresh PostgreSQL database (otherwise the worker owns an in-memory PGlite
 * store), and the worker in a child process with its API on loopback. Also the helpers every
 * benchmark shares: creating an app, waiting for its cycles, request figures, the run's setting.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { createJobControl, type JobControl } from '../api/jobs';
import { ScimClient, type ScimRequestInfo } from '../src/scim/index';
import { startDevServer } from '../src/temporal/dev-server';
import { bundleWorkflows } from '../src/temporal/worker';
import { startFakeGraph, type FakeGraph } from '../test/fakes/graph/index';
import { createTestDatabase } from '../test/support/database';
import { startScimServer } from '../test/support/scim-server';
import { writeTestCa } from '../test/support/test-ca';
import type { CycleSummary } from '../src/sync/contract';
import { byMethod, type ScimTally } from './scim-tally';
import type { Teardown } from './teardown';
import { startWorkerProcess, type WorkerProcess } from './worker-process';
import { encryptingDataConverter } from '../src/temporal/data-converter';
import { newPayloadKey, parsePayloadKeys } from '../src/temporal/payload-keys';

export type Log = (line: string) => void;

export interface EnvironmentOptions {
  /** Objects reconciled at once by the worker. */
  concurrency: number;
  /** Graph `$top` of the full listing. */
  pageSize: number;
  /** A PostgreSQL server URL; a fresh database is created on it and dropped afterwards. */
  databaseUrl?: string;
  /** Write a V8 CPU profile of the worker process into this directory. */
  cpuProfileDir?: string;
}

export interface BenchEnvironment {
  graph: FakeGraph;
  worker: WorkerProcess;
  jobs: JobControl;
  /** What stores the worker's state, as the results name it. */
  database: string;
  /** The processes whose CPU time a run reports. */
  pids: Record<string, number | undefined>;
  /** The base URL of a fresh, empty tenant of scim2-server. */
  tenant(name: string): string;
  /** A SCIM client of a tenant, counting requests with `onRequest`. */
  scimClient(baseUrl: string, onRequest?: (info: ScimRequestInfo) => void): ScimClient;
  /** Creates an app through the API with a bearer-token SCIM target at `baseUrl`; its job is stopped at teardown. */
  createApp(baseUrl: string, settings: Record<string, unknown>): Promise<string>;
}

export interface RequestCounts {
  total: number;
  byMethod: Record<string, number>;
  byRequest: Record<string, number>;
  byStatus: Record<string, number>;
  meanLatencyMs: number;
}

export interface RunEnvironment {
  commit: string;
  uncommittedChanges: boolean;
  node: string;
  cpus: number;
  cpuModel: string;
  startedAt: string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export function requestCounts(tally: ScimTally): RequestCounts {
  return {
    total: tally.total,
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

/** The commit, Node and machine a run measured. */
export function runEnvironment(startedAt: Date): RunEnvironment {
  const cpu = cpus();
  return {
    commit: git(['rev-parse', '--short', 'HEAD']),
    uncommittedChanges: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    node: process.version,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? '',
    startedAt: startedAt.toISOString(),
  };
}

/** Registers the stop of whatever `starting` starts, as soon as it has started. */
function tracked<T>(teardown: Teardown, name: string, starting: Promise<T>, stop: (started: T) => Promise<unknown>): Promise<T> {
  return starting.then((started) => {
    teardown.add(name, () => stop(started));
    return started;
  });
}

/** The servers a benchmark runs against, with the settings its worker needs. */
export interface BenchServers {
  tlsDir: string;
  scimToken: string;
  temporal: Awaited<ReturnType<typeof startDevServer>>;
  scim: Awaited<ReturnType<typeof startScimServer>>;
  workflowBundlePath: string;
  graph: Awaited<ReturnType<typeof startFakeGraph>>;
  /** A fresh PostgreSQL database when asked for; absent: the worker's embedded PGlite. */
  databaseUrl: string | undefined;
}

/**
 * Starts the Temporal dev server, scim2-server, the Graph fake (empty: the benchmark fills it)
 * and, with `databaseUrl`, a fresh database, and bundles the workflows. Everything that started
 * is registered with `teardown` before a failure is thrown.
 */
export async function startServers(options: { databaseUrl?: string | undefined }, teardown: Teardown, log: Log): Promise<BenchServers> {
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
  await Promise.allSettled(starting);
  const [temporal, scim, bundle] = await Promise.all(starting);
  const workflowBundlePath = join(tmp, 'workflow-bundle.js');
  await writeFile(workflowBundlePath, (bundle as { code: string }).code);

  const graph = await startFakeGraph();
  teardown.add('Graph fake', () => graph.close());

  let databaseUrl: string | undefined;
  if (options.databaseUrl) {
    process.env.SCIMFLOW_TEST_POSTGRES_URL = options.databaseUrl;
    const database = await createTestDatabase('scimflow_bench');
    teardown.add('PostgreSQL database', () => database.drop());
    databaseUrl = database.url;
  }
  return { tlsDir, scimToken, temporal, scim, workflowBundlePath, graph, databaseUrl };
}

/**
 * Starts the servers, the Graph fake (empty: the benchmark fills it) and the worker process.
 * Everything that started is registered with `teardown` before a failure is thrown.
 */
export async function startEnvironment(options: EnvironmentOptions, teardown: Teardown, log: Log): Promise<BenchEnvironment> {
  const { tlsDir, scimToken, temporal, scim, workflowBundlePath, graph, databaseUrl } = await startServers(options, teardown, log);

  log('starting the worker process');
  const taskQueue = `bench-${randomUUID().slice(0, 8)}`;
  const adminToken = randomBytes(24).toString('base64url');
  const payloadKeys = newPayloadKey();
  const worker = await startWorkerProcess(
    {
      temporalAddress: temporal.address,
      taskQueue,
      adminToken,
      payloadKeys,
      workflowBundlePath,
      ...(databaseUrl && { databaseUrl }),
      concurrency: options.concurrency,
      graphPageSize: options.pageSize,
    },
    {
      env: { NODE_EXTRA_CA_CERTS: join(tlsDir, 'ca.pem') },
      ...(options.cpuProfileDir && { execArgv: ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] }),
    },
  );
  teardown.add('worker process', () => worker.stop());

  const connection = await Connection.connect({ address: temporal.address });
  teardown.add('Temporal connection', () => connection.close());
  const jobs = createJobControl(
    new Client({ connection, namespace: 'default', dataConverter: encryptingDataConverter(parsePayloadKeys(payloadKeys)) }),
    taskQueue,
  );

  return {
    graph,
    worker,
    jobs,
    database: databaseUrl ? 'PostgreSQL (fresh database)' : 'PGlite in memory (in the worker process)',
    pids: { worker: worker.pid, scim2Server: scim.process.pid, temporal: temporal.process.pid, benchAndGraphFake: process.pid },
    tenant: (name) => `${scim.url}/${name}${randomUUID().replaceAll('-', '').slice(0, 8)}/v2`,
    scimClient: (baseUrl, onRequest) =>
      new ScimClient({ baseUrl, authorization: () => `Bearer ${scimToken}`, ...(onRequest && { onRequest }) }),
    async createApp(baseUrl, settings) {
      const response = await fetch(`${worker.apiUrl}/api/v1/apps`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          source: { ...graph.sourceConfig(), clientSecret: graph.clientSecret },
          target: { type: 'scim', baseUrl, auth: { type: 'bearer', token: scimToken } },
          schedule: { intervalMinutes: 7 * 24 * 60 },
          ...settings,
        }),
      });
      const app = (await response.json()) as { id?: string };
      if (response.status !== 201 || !app.id) throw new Error(`creating the app failed: ${response.status} ${JSON.stringify(app)}`);
      const appId = app.id;
      teardown.add('app job', () => jobs.stop(appId));
      return appId;
    },
  };
}

/**
 * Polls the app's job until a cycle other than `previousId` has ended, printing progress now
 * and then (`expected` objects when the cycle does not count them itself).
 */
export async function waitForCycle(options: {
  env: BenchEnvironment;
  appId: string;
  previousId?: string;
  expected: number;
  startedAt: number;
  deadline: number;
  log: Log;
}): Promise<CycleSummary> {
  const { env, appId, log } = options;
  let lastPrint = Date.now();
  let queryFailures = 0;
  for (;;) {
    await sleep(1000);
    if (!env.worker.running()) throw new Error('the worker process exited during the cycle');
    if (Date.now() > options.deadline) throw new Error('the cycle did not finish within the timeout');
    let status: Awaited<ReturnType<JobControl['status']>>;
    try {
      status = await env.jobs.status(appId);
    } catch (error) {
      // A query can time out while the worker is busy; the next poll asks again.
      if (++queryFailures === 1) log(`  (status query failed, retrying: ${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    if (status?.lastCycle && status.lastCycle.id !== options.previousId) return status.lastCycle;
    const now = Date.now();
    if (now - lastPrint >= 5000) {
      lastPrint = now;
      const processed = status?.currentCycle?.processed ?? 0;
      const seconds = (now - options.startedAt) / 1000;
      const rss = env.worker.memory().currentRssMb;
      log(
        `  scimflow: ${processed}/${status?.currentCycle?.total ?? options.expected} objects after ${seconds.toFixed(0)} s ` +
          `(${(processed / seconds).toFixed(1)} objects/s), worker RSS ${rss?.toFixed(0) ?? '?'} MB`,
      );
    }
  }
}

/**
 * A progress callback for a loop of `total` objects that prints at most every five seconds.
 *
 * @example rawLoop(items, 8, write, progress(log, 'raw loop', items.length))
 */
export function progress(log: Log, label: string, total: number): (done: number) => void {
  const started = Date.now();
  let lastPrint = started;
  return (done) => {
    const now = Date.now();
    if (now - lastPrint < 5000) return;
    lastPrint = now;
    const seconds = (now - started) / 1000;
    log(`  ${label}: ${done}/${total} objects after ${seconds.toFixed(0)} s (${(done / seconds).toFixed(1)} objects/s)`);
  };
}
