/**
 * The parent's side of the worker child process: starts it, asks it for its SCIM request
 * counts, watches its memory in /proc (VmRSS sampled, VmHWM at the end) and stops it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ScimTally } from './scim-tally';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-protocol';

const WORKER_ENTRY = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface WorkerMemory {
  /** VmHWM: the kernel's peak resident set size of the process, MB. */
  peakRssMb: number | undefined;
  /** The highest VmRSS seen by the sampler, MB. */
  sampledPeakRssMb: number | undefined;
  currentRssMb: number | undefined;
}

export interface WorkerProcess {
  pid: number;
  apiUrl: string;
  /** Whether the child is still alive. */
  running(): boolean;
  report(): Promise<ScimTally>;
  memory(): WorkerMemory;
  /** Starts a new peak: VmHWM is reset to the current RSS (Linux `clear_refs`), and so is the sampled peak. */
  resetPeak(): void;
  /** Stops the service in the child and waits for it to exit (killing it after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** `VmRSS`, `VmHWM`, ... of a process in MB; empty where /proc is not available. */
function procStatus(pid: number): Record<string, number> {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return {};
  }
  const figures: Record<string, number> = {};
  for (const match of text.matchAll(/^(Vm\w+):\s+(\d+) kB$/gm)) figures[match[1]!] = Number(match[2]) / 1024;
  return figures;
}

function nextMessage<T extends FromWorker['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<FromWorker, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`the worker process sent no "${type}" within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: FromWorker) => {
      if (message.type === type) finish(undefined, message as Extract<FromWorker, { type: T }>);
      else if (message.type === 'failed') finish(new Error(`the worker process failed: ${message.message}`));
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(new Error(`the worker process exited (code ${code}, signal ${signal}) before sending "${type}"`));
    function finish(error?: Error, message?: Extract<FromWorker, { type: T }>) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Forks `bench/worker.ts` with tsx loaded in the same Node process (so the pid measured is the
 * worker's own), `env` added to its environment (e.g. NODE_EXTRA_CA_CERTS) and `execArgv` to
 * its Node options (e.g. `--cpu-prof`).
 */
export async function startWorkerProcess(
  config: WorkerConfig,
  options: { env: Record<string, string>; execArgv?: string[]; sampleEveryMs?: number },
): Promise<WorkerProcess> {
  const child = fork(WORKER_ENTRY, [], {
    execArgv: ['--import', 'tsx', ...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid!;
  const send = (message: ToWorker) => child.send(message);
  let sampledPeak: number | undefined;
  const sampler = setInterval(() => {
    const rss = procStatus(pid).VmRSS;
    if (rss !== undefined) sampledPeak = Math.max(sampledPeak ?? 0, rss);
  }, options.sampleEveryMs ?? 500);
  sampler.unref();

  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const kill = () => {
    clearInterval(sampler);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };

  try {
    const ready = nextMessage(child, 'ready', 120_000);
    send({ type: 'start', config });
    const { apiUrl } = await ready;
    return {
      pid,
      apiUrl,
      running: () => child.exitCode === null && child.signalCode === null,
      async report() {
        const answer = nextMessage(child, 'report', 10_000);
        send({ type: 'report' });
        return (await answer).scim;
      },
      memory() {
        const status = procStatus(pid);
        if (status.VmRSS !== undefined) sampledPeak = Math.max(sampledPeak ?? 0, status.VmRSS);
        return { peakRssMb: status.VmHWM, sampledPeakRssMb: sampledPeak, currentRssMb: status.VmRSS };
      },
      resetPeak() {
        try {
          writeFileSync(`/proc/${pid}/clear_refs`, '5');
        } catch {
          // No /proc (or not allowed): VmHWM stays the process's peak; the sampled peak still restarts.
        }
        sampledPeak = procStatus(pid).VmRSS;
      },
      async stop(graceMs = 30_000) {
        clearInterval(sampler);
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (child.connected) send({ type: 'stop' });
        const timer = setTimeout(kill, graceMs);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (error) {
    kill();
    await exited;
    throw error;
  }
}
