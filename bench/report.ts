/** The figures of an initial-sync run: printed as a table and written as JSON under bench/results/. */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
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
    ['SCIM requests per user', `${scimflow.scimRequests.perUser.toFixed(3)}  (goal <= ${result.goals.requestsPerUserAtMost}: ${mark(result.goals.requestsPerUserMet)})`],
    ['  by method', perMethod(scimflow.scimRequests.byMethod, users)],
    ['  by request', perMethod(scimflow.scimRequests.byRequest, users)],
    ['  by status', Object.entries(scimflow.scimRequests.byStatus).map(([s, n]) => `${s}: ${n}`).join(', ')],
    ['mean SCIM latency', `scimflow ${scimflow.scimRequests.meanLatencyMs} ms, raw ${raw.scimRequests.meanLatencyMs} ms`],
    ['Graph requests', String(scimflow.graphRequests)],
    ['worker peak RSS', `${scimflow.worker.peakRssMb?.toFixed(1) ?? '?'} MB (VmHWM; sampled peak ${scimflow.worker.sampledPeakRssMb?.toFixed(1) ?? '?'} MB, ${scimflow.worker.idleRssMb?.toFixed(1) ?? '?'} MB once started)`],
    ['CPU s during cycle', cpuLine(scimflow.cpuSeconds)],
    ['CPU s during raw loop', cpuLine(raw.cpuSeconds)],
    ['commit', `${result.environment.commit}${result.environment.uncommittedChanges ? ' (with uncommitted changes)' : ''}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return ['', 'initial-sync', ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`), ''].join('\n');
}

/** Writes `bench/results/initial-sync-<N>.json` and returns its path. */
export async function writeInitialSync(result: InitialSyncResult): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}initial-sync-${result.users}.json`;
  await writeFile(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}
