/**
 * CPU time per process (user + system, from /proc/<pid>/stat), to see where a phase's time
 * goes on a small machine: the worker, the SCIM server, Temporal, or the benchmark itself.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times: 100 on every mainstream Linux. */
const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used so far; undefined when it is gone or /proc is missing. */
function cpuSecondsOf(pid: number): number | undefined {
  if (pid === process.pid) {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export type CpuSnapshot = Record<string, number | undefined>;

export function cpuSnapshot(pids: Record<string, number | undefined>): CpuSnapshot {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid === undefined ? undefined : cpuSecondsOf(pid)]));
}

/** CPU seconds used between two snapshots, by process name (rounded to 0.1 s). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [name, end] of Object.entries(after)) {
    const start = before[name];
    if (end !== undefined && start !== undefined) used[name] = Math.round((end - start) * 10) / 10;
  }
  return used;
}
