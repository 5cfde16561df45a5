/**
 * The lifecycle benchmark, with N apps (default 10) on scim2-server tenants and the service
 * (API and worker) in a child process:
 *
 * - leaver: from the POST of a leaver event to its run's end, when every app has disabled the
 *   account (p50 and p99 over `--leavers` people, one after the other);
 * - joiner: from the POST of a joiner event to its run's end, the account made in every app;
 * - on-demand: `POST /apps/{id}/provision-on-demand` of one user not provisioned yet.
 *
 * Every account is checked in the targets at the end. Goals: leaver p99 ≤ 2 s, on-demand p50 ≤ 1 s.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { ScimClient } from '../src/scim/index';
import { projectRoot } from '../src/tools/index';
import { addPeople, person } from '../test/support/people';
import { personWorkflowId } from '../workflows/lifecycle/definitions';
import { startServers } from './environment';
import type { Teardown } from './teardown';
import { startWorkerProcess } from './worker-process';
import { encryptingDataConverter } from '../src/temporal/data-converter';
import { newPayloadKey, parsePayloadKeys } from '../src/temporal/payload-keys';

export interface LifecycleBenchOptions {
  apps: number;
  leavers: number;
  joiners: number;
  onDemand: number;
  databaseUrl?: string;
}

export interface Percentiles {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LifecycleBenchResult {
  benchmark: 'lifecycle';
  apps: number;
  database: string;
  leaver: Percentiles;
  joiner: Percentiles;
  onDemand: Percentiles;
  /** App steps of the leavers and joiners that needed more than one try (0 when nothing failed). */
  retriedSteps: number;
  goals: { leaverP99AtMostMs: number; onDemandP50AtMostMs: number; leaverMet: boolean; onDemandMet: boolean };
  startedAt: string;
}

const GOALS = { leaverP99AtMostMs: 2000, onDemandP50AtMostMs: 1000 };

function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { n: sorted.length, p50Ms: Math.round(at(0.5)), p99Ms: Math.round(at(0.99)), maxMs: Math.round(sorted.at(-1)!) };
}

export async function runLifecycle(
  options: LifecycleBenchOptions,
  teardown: Teardown,
  log: (line: string) => void,
): Promise<LifecycleBenchResult> {
  const startedAt = new Date();
  const { tlsDir, scimToken, temporal, scim, workflowBundlePath, graph, databaseUrl } = await startServers(options, teardown, log);

  log('starting the service (API and worker) in a child process');
  const adminToken = randomBytes(24).toString('base64url');
  const payloadKeys = newPayloadKey();
  const worker = await startWorkerProcess(
    {
      temporalAddress: temporal.address,
      taskQueue: `bench-${randomUUID().slice(0, 8)}`,
      adminToken,
      payloadKeys,
      workflowBundlePath,
      ...(databaseUrl && { databaseUrl }),
      concurrency: 8,
      graphPageSize: 999,
    },
    { env: { NODE_EXTRA_CA_CERTS: join(tlsDir, 'ca.pem') } },
  );
  teardown.add('worker process', () => worker.stop());
  const connection = await Connection.connect({ address: temporal.address });
  teardown.add('Temporal connection', () => connection.close());
  const client = new Client({ connection, namespace: 'default', dataConverter: encryptingDataConverter(parsePayloadKeys(payloadKeys)) });

  async function api(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${worker.apiUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const parsed = await response.json();
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
    return parsed;
  }

  // The people who leave, provisioned everywhere by the apps' initial cycles.
  const leavers = addPeople(graph, options.leavers, 1);
  const tenants = Array.from({ length: options.apps }, (_, i) => `${scim.url}/bench${i}${randomUUID().slice(0, 6)}/v2`);
  log(`creating ${options.apps} apps; their initial cycles provision ${leavers.length} users each`);
  const appIds: string[] = [];
  for (const [i, baseUrl] of tenants.entries()) {
    const app = await api('POST', '/apps', {
      displayName: `bench lifecycle ${i}`,
      source: { ...graph.sourceConfig(), clientSecret: graph.clientSecret },
      target: { type: 'scim', baseUrl, auth: { type: 'bearer', token: scimToken } },
      schedule: { intervalMinutes: 7 * 24 * 60 },
    });
    appIds.push(app.id);
  }
  for (const appId of appIds) {
    for (;;) {
      const status = await api('GET', `/apps/${appId}/status`);
      if (status.lastCycle) {
        if (status.lastCycle.counts.created !== leavers.length)
          throw new Error(`app ${appId}: the initial cycle created ${status.lastCycle.counts.created} users, not ${leavers.length}`);
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** App steps that needed more than one try (a target or the store failed a first try). */
  let retried = 0;
  async function timed(send: () => Promise<any>, workflowId: string): Promise<number> {
    const t0 = performance.now();
    await send();
    const result = (await client.workflow.getHandle(workflowId).result()) as {
      state: string;
      apps: { state: string; attempts: number; error: unknown }[];
    };
    const ms = performance.now() - t0;
    retried += result.apps.filter((a) => a.attempts > 1).length;
    if (result.state !== 'done' || result.apps.length !== options.apps || result.apps.some((a) => a.state !== 'done')) {
      throw new Error(`${workflowId} did not finish in every app: ${JSON.stringify(result)}`);
    }
    return ms;
  }
  const event = (eventId: string, type: string, objectId: string) => ({
    events: [{ eventId, type, person: { objectId }, effectiveAt: new Date().toISOString() }],
  });

  log(`leavers: ${leavers.length}, one after the other`);
  const leaverMs: number[] = [];
  for (const [i, p] of leavers.entries()) {
    leaverMs.push(
      await timed(() => api('POST', '/lifecycle/events', event(`bench-leave-${i}`, 'leaver', p.id)), personWorkflowId(p.id, 'leaver')),
    );
  }

  log(`joiners: ${options.joiners}, one after the other`);
  const joiners = Array.from({ length: options.joiners }, (_, k) => graph.addUser(person(100_000 + k)));
  const joinerMs: number[] = [];
  for (const [i, p] of joiners.entries()) {
    joinerMs.push(
      await timed(() => api('POST', '/lifecycle/events', event(`bench-join-${i}`, 'joiner', p.id)), personWorkflowId(p.id, 'joiner')),
    );
  }

  log(`on-demand: ${options.onDemand} users, one after the other, into one app`);
  const onDemandUsers = Array.from({ length: options.onDemand }, (_, k) => graph.addUser(person(200_000 + k)));
  const onDemandMs: number[] = [];
  for (const p of onDemandUsers) {
    const t0 = performance.now();
    const result = await api('POST', `/apps/${appIds[0]}/provision-on-demand`, { objectId: p.id });
    onDemandMs.push(performance.now() - t0);
    if (result.status !== 'Success' || result.action !== 'Create')
      throw new Error(`on-demand provisioning of ${p.id}: ${JSON.stringify(result)}`);
  }

  log('checking every account in the targets');
  const leaving = new Set(leavers.map((p) => p.userPrincipalName));
  const joined = new Set(joiners.map((p) => p.userPrincipalName));
  for (const baseUrl of tenants) {
    const users = await listUsers(new ScimClient({ baseUrl, authorization: () => `Bearer ${scimToken}` }));
    const disabled = users.filter((u) => leaving.has(u.userName) && u.active === false).length;
    const active = users.filter((u) => joined.has(u.userName) && u.active === true).length;
    if (disabled !== leaving.size || active !== joined.size)
      throw new Error(`${baseUrl}: ${disabled}/${leaving.size} leavers disabled, ${active}/${joined.size} joiners active`);
  }

  const leaver = percentiles(leaverMs);
  const onDemand = percentiles(onDemandMs);
  return {
    benchmark: 'lifecycle',
    apps: options.apps,
    database: databaseUrl ? 'PostgreSQL (fresh database)' : 'PGlite in memory (in the worker process)',
    leaver,
    joiner: percentiles(joinerMs),
    onDemand,
    retriedSteps: retried,
    goals: { ...GOALS, leaverMet: leaver.p99Ms <= GOALS.leaverP99AtMostMs, onDemandMet: onDemand.p50Ms <= GOALS.onDemandP50AtMostMs },
    startedAt: startedAt.toISOString(),
  };
}

async function listUsers(client: ScimClient): Promise<{ userName: string; active?: boolean }[]> {
  const users: { userName: string; active?: boolean }[] = [];
  for (let startIndex = 1; ;) {
    const page = await client.listUsers({ startIndex, count: 500 });
    users.push(...(page.Resources as unknown as { userName: string; active?: boolean }[]));
    if (page.Resources.length === 0 || users.length >= page.totalResults) return users;
    startIndex += page.Resources.length;
  }
}

export function formatLifecycle(result: LifecycleBenchResult): string {
  const row = (name: string, p: Percentiles) =>
    `  ${name.padEnd(34)} ${String(p.n).padStart(4)}  ${String(p.p50Ms).padStart(6)}  ${String(p.p99Ms).padStart(6)}  ${String(p.maxMs).padStart(6)}`;
  return [
    '',
    `lifecycle, ${result.apps} apps on scim2-server, ${result.database}`,
    `  ${'measure'.padEnd(34)} ${'n'.padStart(4)}  ${'p50 ms'.padStart(6)}  ${'p99 ms'.padStart(6)}  ${'max ms'.padStart(6)}`,
    row(`leaver accepted -> disabled in ${result.apps}`, result.leaver),
    row(`joiner accepted -> created in ${result.apps}`, result.joiner),
    row('on-demand provisioning, one user', result.onDemand),
    `  app steps that needed a second try: ${result.retriedSteps}`,
    `  goals: leaver p99 <= ${result.goals.leaverP99AtMostMs} ms ${result.goals.leaverMet ? 'met' : 'NOT met'}; on-demand p50 <= ${result.goals.onDemandP50AtMostMs} ms ${result.goals.onDemandMet ? 'met' : 'NOT met'}`,
    '',
  ].join('\n');
}

export async function writeLifecycle(result: LifecycleBenchResult): Promise<string> {
  const dir = join(projectRoot, 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `lifecycle-${result.apps}-${result.database.startsWith('PostgreSQL') ? 'postgres' : 'pglite'}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
