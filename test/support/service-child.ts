/**
 * The whole service as `npm start` runs it (`src/main.ts`) in a child process of its own process
 * group, for tests that kill it, its peers or send it a terminal's Ctrl-C. Its JSON log lines
 * are kept for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { onTestFailed } from 'vitest';
import { portForLater } from './ports';
import { projectRoot } from '../../src/tools/index';
import { freshScimTenant, uniqueName } from './env';
import type { FakeGraph } from '../fakes/graph/index';
import type { FaultProxy } from './fault-proxy';
import { appBody, listTarget, ONE_REQUEST_PER_CREATE } from './harness';

export interface LogLine {
  level: number;
  msg: string;
  time: number;
  [field: string]: unknown;
}

export interface ServiceChild {
  process: ChildProcess;
  /** Every line the child wrote to stdout and stderr, in order. */
  output: string[];
  /** The JSON log lines among them. */
  logs(): LogLine[];
  /** Resolves once the start-up banner is printed (for a worker alone, with no API URL and token). */
  ready: Promise<{ apiUrl: string; adminToken: string }>;
  /** Resolves when the child exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Resolves with the first log line that `match` accepts (also one logged already). */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Sends a signal to the child's whole process group, as a terminal does on Ctrl-C. */
  signalGroup(signal: NodeJS.Signals): void;
}

/**
 * Starts `src/main.ts` with the given settings on top of the test environment (TEMPORAL_ADDRESS
 * and DATABASE_URL only when given), or `npm start` itself with `via: 'npm'`. The child joins
 * `children`, so cleanup can kill it.
 */
export function startServiceChild(
  env: Record<string, string>,
  children: ServiceChild[] = [],
  options: { via?: 'node' | 'npm' } = {},
): ServiceChild {
  const inherited = { ...process.env };
  for (const name of ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'SCIMFLOW_SECRET_KEY', 'SCIMFLOW_PAYLOAD_KEYS', 'SCIMFLOW_ADMIN_TOKEN', 'PORT'])
    delete inherited[name];
  const [command, args] = options.via === 'npm' ? ['npm', ['start', '--silent']] : [process.execPath, ['--import', 'tsx', 'src/main.ts']];
  const child = spawn(command, args, {
    cwd: projectRoot,
    env: { ...inherited, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', TEMPORAL_TASK_QUEUE: uniqueName('svc'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output: string[] = [];
  const listeners = new Set<() => void>();
  const collect = (stream: NodeJS.ReadableStream) => {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      output.push(...lines);
      for (const listener of listeners) listener();
    });
  };
  collect(child.stdout);
  collect(child.stderr);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );

  const logs = () =>
    output.flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });

  const ready = new Promise<{ apiUrl: string; adminToken: string }>((resolve, reject) => {
    const look = () => {
      // A worker alone serves no API.
      if (output.includes('scimflow worker is running')) {
        listeners.delete(look);
        resolve({ apiUrl: '', adminToken: '' });
        return;
      }
      const api = output.map((line) => /^\s+API\s+(http\S+)\/api\/v1$/.exec(line)?.[1]).find(Boolean);
      const token = env.SCIMFLOW_ADMIN_TOKEN ?? output.map((line) => /^\s+Admin token\s+(\S+)\s+\(kept in/.exec(line)?.[1]).find(Boolean);
      if (api && token) {
        listeners.delete(look);
        resolve({ apiUrl: api, adminToken: token });
      }
    };
    listeners.add(look);
    void exited.then(({ code, signal }) =>
      reject(new Error(`the service exited before it was ready (code ${code}, signal ${signal}):\n${output.slice(-30).join('\n')}`)),
    );
  });
  ready.catch(() => {});

  const handle: ServiceChild = {
    process: child,
    output,
    logs,
    ready,
    exited,
    async api(method, path, body) {
      const { apiUrl, adminToken } = await ready;
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed as any };
    },
    waitForLog(match, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const look = () => {
          const found = logs().find(match);
          if (!found) return;
          listeners.delete(look);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          listeners.delete(look);
          reject(new Error(`no such log line within ${timeoutMs} ms:\n${output.slice(-30).join('\n')}`));
        }, timeoutMs);
        listeners.add(look);
        look();
      });
    },
    signalGroup(signal) {
      process.kill(-child.pid!, signal);
    },
  };
  children.push(handle);
  return handle;
}

/** Kills what a test left running: each child's process group and the dev server it recorded in its data dir. */
export async function killServiceChildren(children: ServiceChild[], dataDirs: string[] = []): Promise<void> {
  for (const child of children) {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      try {
        process.kill(-child.process.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
  for (const dir of dataDirs) {
    const pid = await recordedDevServerPid(dir);
    if (pid === undefined) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** The pid of the dev server a data dir's record names, if any. */
export async function recordedDevServerPid(dataDir: string): Promise<number | undefined> {
  try {
    return (JSON.parse(await readFile(`${dataDir}/temporal-dev-server.json`, 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

/** Whether a process runs (a zombie, dead and waiting to be reaped, counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Resolves with the first value `probe` gives that is not undefined; rejects after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The app's last cycle as the service's status shows it; undefined while there is none or the status is not available. */
export async function lastCycle(service: ServiceChild, appId: string): Promise<any> {
  const status = await service.api('GET', `/api/v1/apps/${appId}/status`);
  return status.status === 200 ? (status.body.lastCycle ?? undefined) : undefined;
}

/** Shows what the services the current test starts from now on wrote, should it fail. */
export function showOutputOnFailure(children: ServiceChild[]): void {
  const from = children.length;
  onTestFailed(() => {
    for (const child of children.slice(from)) console.log(`--- service ${child.process.pid}\n${child.output.slice(-80).join('\n')}`);
  });
}

/**
 * Settings of a service that runs its own local Temporal dev server: a data dir, free ports, a
 * fixed admin token and a task queue, all kept across a restart as an operator's settings are.
 */
export async function localServiceSettings(dataDir: string): Promise<Record<string, string> & { SCIMFLOW_DATA_DIR: string }> {
  return {
    SCIMFLOW_DATA_DIR: dataDir,
    TEMPORAL_PORT: String(await portForLater()),
    TEMPORAL_UI_PORT: String(await portForLater()),
    SCIMFLOW_ADMIN_TOKEN: 'sc-Qz7vK2pXm9LwR4tY8nB3hJ6dF1gA5sE0',
    TEMPORAL_TASK_QUEUE: uniqueName('svc'),
  };
}

/**
 * Creates an app of `graph`'s users on a fresh tenant behind `proxy`, one request per create so
 * that its initial cycle takes a while, and waits until a quarter of `users` are in the target:
 * the moment the crash tests strike, mid-cycle.
 */
export async function startCycleMidway(
  service: ServiceChild,
  graph: FakeGraph,
  proxy: FaultProxy,
  users: number,
): Promise<{ appId: string; tenant: string }> {
  const tenant = `${proxy.url}${new URL(freshScimTenant()).pathname}`;
  const created = await service.api('POST', '/api/v1/apps', appBody(graph, tenant, ONE_REQUEST_PER_CREATE));
  if (created.status !== 201) throw new Error(`creating the app failed: ${created.status} ${JSON.stringify(created.body)}`);
  await until(
    'a quarter of the users in the target',
    async () => ((await listTarget(tenant, 'Users')).length >= users / 4 ? true : undefined),
    60_000,
  );
  return { appId: created.body.id as string, tenant };
}
