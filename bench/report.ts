/** The figures of a benchmark run: printed as a table and written as JSON under bench/results/. */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { GroupsPhase, GroupsResult } from './groups';
import type { InitialSyncResult } from './initial-sync';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

const perMethod = (counts: Record<string, number>, users: number) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, count]) => `${key} ${(count / users).toFixed(3)}`)
    .join(', ');

const cpuLine = (cpu: Record<string, number>) =>
  Object.entries(cpu)
    .map(([name, seconds]) => `${name} ${seconds.toFixed(1)}`)
    .join(', ');

export function formatInitialSync(result: InitialSyncResult): string {
  const { scimflow, raw, users } = result;
  const mark = (met: boolean) => (met ? 'met' : 'NOT met');
  const rows: [string, string][] = [
    ['users', String(users)],
    ['concurrency', String(result.concurrency)],
    ['Graph page size', String(result.graphPageSize)],
    ['store', result.database],
    ['wall seconds (scimflow)', scimflow.wallSeconds.toFixed(2)],
    ['users/s (scimflow)', scimflow.usersPerSecond.toFixed(1)],
    ['users/s (raw loop)', `${raw.usersPerSecond.toFixed(1)}  (${raw.wallSeconds.toFixed(2)} s)`],
    ['ratio scimflow/raw', `${result.ratio.toFixed(3)}  (goal >= ${result.goals.ratioAtLeast}: ${mark(result.goals.ratioMet)})`],
    [
      'SCIM requests per user',
      `${scimflow.scimRequests.perUser.toFixed(3)}  (goal <= ${result.goals.requestsPerUserAtMost}: ${mark(result.goals.requestsPerUserMet)})`,
    ],
    ['  by method', perMethod(scimflow.scimRequests.byMethod, users)],
    ['  by request', perMethod(scimflow.scimRequests.byRequest, users)],
    [
      '  by status',
      Object.entries(scimflow.scimRequests.byStatus)
        .map(([s, n]) => `${s}: ${n}`)
        .join(', '),
    ],
    ['mean SCIM latency', `scimflow ${scimflow.scimRequests.meanLatencyMs} ms, raw ${raw.scimRequests.meanLatencyMs} ms`],
    ['Graph requests', String(scimflow.graphRequests)],
    [
      'worker peak RSS',
      `${scimflow.worker.peakRssMb?.toFixed(1) ?? '?'} MB (VmHWM; sampled peak ${scimflow.worker.sampledPeakRssMb?.toFixed(1) ?? '?'} MB, ${scimflow.worker.idleRssMb?.toFixed(1) ?? '?'} MB once started)`,
    ],
    ['CPU s during cycle', cpuLine(scimflow.cpuSeconds)],
    ['CPU s during raw loop', cpuLine(raw.cpuSeconds)],
    ['commit', `${result.environment.commit}${result.environment.uncommittedChanges ? ' (with uncommitted changes)' : ''}`],
  ];
  return table('initial-sync', rows);
}

/** Labelled rows as an indented two-column table under a title. */
function table(title: string, rows: [string, string][]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return ['', title, ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`), ''].join('\n');
}

async function writeResult(name: string, result: unknown): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}${name}.json`;
  await writeFile(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

/** Writes `bench/results/initial-sync-<N>.json` and returns its path. */
export function writeInitialSync(result: InitialSyncResult): Promise<string> {
  return writeResult(`initial-sync-${result.users}`, result);
}

const mb = (value: number | undefined) => `${value?.toFixed(1) ?? '?'} MB`;

function phaseRows(name: string, phase: GroupsPhase): [string, string][] {
  const { scimflow, raw } = phase;
  const { memberships } = phase;
  return [
    [
      name,
      `${phase.objects} objects: ${phase.users} users, ${phase.groups} groups; memberships ${memberships.added} added, ${memberships.removed} removed`,
    ],
    ['  wall seconds', `scimflow ${scimflow.wallSeconds.toFixed(2)}, raw ${raw.wallSeconds.toFixed(2)}`],
    ['  objects/s', `scimflow ${scimflow.objectsPerSecond.toFixed(1)}, raw ${raw.objectsPerSecond.toFixed(1)}`],
    ['  ratio scimflow/raw', phase.ratio.toFixed(3)],
    [
      '  SCIM requests per object',
      `scimflow ${scimflow.scimRequests.perObject.toFixed(3)} (${scimflow.scimRequests.total}), raw ${raw.scimRequests.perObject.toFixed(3)} (${raw.scimRequests.total})`,
    ],
    ['    scimflow by request', perMethod(scimflow.scimRequests.byRequest, phase.objects)],
    ['    raw by request', perMethod(raw.scimRequests.byRequest, phase.objects)],
    [
      '    scimflow by status',
      Object.entries(scimflow.scimRequests.byStatus)
        .map(([s, n]) => `${s}: ${n}`)
        .join(', '),
    ],
    ['  mean SCIM latency', `scimflow ${scimflow.scimRequests.meanLatencyMs} ms, raw ${raw.scimRequests.meanLatencyMs} ms`],
    ['  Graph requests', String(scimflow.graphRequests)],
    ['  worker peak RSS', `${mb(scimflow.worker.peakRssMb)} (VmHWM of the phase; sampled peak ${mb(scimflow.worker.sampledPeakRssMb)})`],
    ['  cycle', `${scimflow.cycle.kind}, ${JSON.stringify(scimflow.cycle.counts)}`],
    [
      '  end state (both tenants)',
      `${phase.endState.users} users, ${phase.endState.groups} groups, ${phase.endState.memberships} memberships, ${phase.endState.duplicateMembers} duplicates`,
    ],
    ['  CPU s (scimflow)', cpuLine(scimflow.cpuSeconds)],
    ['  CPU s (raw)', cpuLine(raw.cpuSeconds)],
  ];
}

export function formatGroups(result: GroupsResult): string {
  return table('groups', [
    ['directory', `${result.users} users, ${result.groups} groups of ${result.membersPerGroup} members on average (seed ${result.seed})`],
    ['members per PATCH', String(result.membersPerPatch)],
    ['concurrency', String(result.concurrency)],
    ['Graph page size', String(result.graphPageSize)],
    ['store', result.database],
    ['worker RSS once started', mb(result.idleRssMb)],
    ...phaseRows('initial', result.initial),
    ...phaseRows('incremental', result.incremental),
    ['commit', `${result.environment.commit}${result.environment.uncommittedChanges ? ' (with uncommitted changes)' : ''}`],
  ]);
}

/** Writes `bench/results/groups-<users>-<groups>.json` and returns its path. */
export function writeGroups(result: GroupsResult): Promise<string> {
  return writeResult(`groups-${result.users}-${result.groups}`, result);
}
