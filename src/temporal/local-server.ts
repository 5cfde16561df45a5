/**
 * The local Temporal dev server of `npm start` (no TEMPORAL_ADDRESS): one per data dir, its
 * workflow state in `temporal.db` there. It runs in a process group of its own, so a terminal's
 * Ctrl-C reaches only scimflow, which stops it last. A record in the data dir
 * (`temporal-dev-server.json`) names it. On Linux it ends with the service, even one killed with
 * SIGKILL (see dev-server.ts); elsewhere a start after a crash finds the one the crashed run
 * left behind and replaces it at once, and a server that dies is started again on the same
 * state while the service answers 503.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../log/index';
import { startDevServer, type DevServer } from './dev-server';

const run = promisify(execFile);

/** The record's file name in the data dir. */
export const DEV_SERVER_RECORD = 'temporal-dev-server.json';

interface DevServerRecord {
  pid: number;
  /** The scimflow process that started it. */
  owner: number;
  port: number;
  uiPort: number;
  startedAt: string;
}

export interface LocalTemporalOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  logger: Logger;
  /** The codec endpoint its Web UI decodes payloads through. */
  uiCodecEndpoint?: string;
  /** Told when the server exited on its own; it is being started again. */
  onExit?: (reason: string) => void;
}

export interface LocalTemporal {
  address: string;
  uiUrl: string;
  /** The running server's process id; undefined while it is being started again. */
  pid(): number | undefined;
  /** Stops it (SIGTERM to its group, SIGKILL after 5 s) and removes the record. */
  stop(): Promise<void>;
  /** Kills it at once and removes the record, synchronously: for a process that is exiting. */
  killNow(): void;
}

/** A process as the system shows it: its parent and its command line. */
async function describeProcess(pid: number): Promise<{ ppid: number; args: string[]; zombie: boolean } | undefined> {
  if (existsSync('/proc')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return { ppid: Number(ppid), args, zombie: state === 'Z' };
    } catch {
      return undefined;
    }
  }
  try {
    const { stdout } = await run('ps', ['-o', 'ppid=,stat=,args=', '-p', String(pid)]);
    const match = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(stdout.trim());
    return match ? { ppid: Number(match[1]), args: match[3]!.split(/\s+/), zombie: match[2]!.startsWith('Z') } : undefined;
  } catch {
    return undefined;
  }
}

async function isAlive(pid: number): Promise<boolean> {
  const found = await describeProcess(pid);
  return found !== undefined && !found.zombie;
}

/** Whether a command line is `temporal server start-dev` on this database file. */
function isDevServerOn(args: string[], dbFilename: string): boolean {
  const db = args.indexOf('--db-filename');
  return args.includes('start-dev') && db >= 0 && args[db + 1] === dbFilename;
}

/** Sends a signal to a process's group (it leads one when spawned detached), else to the process alone. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(-pid, name);
  } catch {
    try {
      process.kill(pid, name);
    } catch {
      // gone already
    }
  }
}

/** Stops a process that is not our child: SIGTERM, SIGKILL after `graceMs`; resolves once it is gone. */
async function stopForeign(pid: number, graceMs: number): Promise<void> {
  signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (await isAlive(pid)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGKILL');
      if (Date.now() > deadline + 5000) throw new Error(`process ${pid} did not stop`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * Starts the local dev server for a data dir, after replacing one that a previous run left
 * running there. Refuses when another scimflow still runs on the data dir, or when its ports are
 * taken by another program.
 *
 * @example
 * const temporal = await startLocalTemporal({ dataDir: '.scimflow', port: 7233, uiPort: 8233, logger });
 * // ... temporal.address is '127.0.0.1:7233'
 * await temporal.stop();
 */
export async function startLocalTemporal(options: LocalTemporalOptions): Promise<LocalTemporal> {
  const { dataDir, port, uiPort, logger } = options;
  const recordFile = join(dataDir, DEV_SERVER_RECORD);
  const dbFilename = join(dataDir, 'temporal.db');

  const previous = await readRecord(recordFile);
  if (previous) {
    const found = await describeProcess(previous.pid);
    if (found && !found.zombie && isDevServerOn(found.args, dbFilename)) {
      if (found.ppid === previous.owner && previous.owner !== process.pid && (await isAlive(previous.owner))) {
        throw new Error(
          `another scimflow (pid ${previous.owner}) runs on the data dir ${dataDir}: stop it first, or give this one its own SCIMFLOW_DATA_DIR`,
        );
      }
      logger.warn(
        { pid: previous.pid, port: previous.port },
        'a Temporal dev server that an earlier run left behind runs on this data dir; replacing it',
      );
      await stopForeign(previous.pid, 5000);
    }
    await rm(recordFile, { force: true });
  }
  for (const [name, value] of [
    ['TEMPORAL_PORT', port],
    ['TEMPORAL_UI_PORT', uiPort],
  ] as const) {
    if (await listens(value)) throw new Error(`${name} ${value} is in use by another program: stop it, or set ${name} to a free port`);
  }

  let current: DevServer | undefined;
  let spawnedPid: number | undefined;
  let stopping = false;

  const launch = () =>
    startDevServer({
      port,
      uiPort,
      dbFilename,
      ...(options.uiCodecEndpoint && { uiCodecEndpoint: options.uiCodecEndpoint }),
      detached: true,
      logFile: join(dataDir, 'temporal-dev-server.log'),
      log: (line) => logger.info(line),
      onSpawn: (pid) => {
        spawnedPid = pid;
        const record: DevServerRecord = { pid, owner: process.pid, port, uiPort, startedAt: new Date().toISOString() };
        // Written aside and renamed, so a crash never leaves half a record.
        void writeFile(`${recordFile}.tmp`, JSON.stringify(record))
          .then(() => rename(`${recordFile}.tmp`, recordFile))
          .catch((error: unknown) => logger.error({ err: { message: String(error) } }, 'writing the dev server record failed'));
      },
    });

  function watch(server: DevServer): void {
    server.process.once('exit', (code, signalName) => {
      if (stopping) return;
      current = undefined;
      const reason = `the local Temporal dev server exited (${signalName ? `signal ${signalName}` : `code ${code}`}); it is being started again`;
      logger.warn({ code, signal: signalName }, 'the local Temporal dev server exited; starting it again');
      options.onExit?.(reason);
      void restart();
    });
  }

  async function restart(): Promise<void> {
    for (let attempt = 1; !stopping; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(30_000, 250 * 2 ** attempt)));
      if (stopping) return;
      try {
        const server = await launch();
        if (stopping) return void (await server.stop());
        current = server;
        watch(server);
        logger.info({ pid: server.process.pid, attempt }, 'the local Temporal dev server runs again');
        return;
      } catch (error) {
        if (stopping) return;
        logger.error(
          { err: { message: error instanceof Error ? error.message : String(error) }, attempt },
          'starting the local Temporal dev server again failed',
        );
      }
    }
  }

  current = await launch();
  watch(current);
  const address = current.address;
  const uiUrl = current.uiUrl ?? `http://127.0.0.1:${uiPort}`;

  return {
    address,
    uiUrl,
    pid: () => current?.process.pid,
    async stop() {
      stopping = true;
      if (current) await current.stop();
      else if (spawnedPid !== undefined) await stopForeign(spawnedPid, 5000);
      spawnedPid = undefined;
      await rm(recordFile, { force: true });
    },
    killNow() {
      stopping = true;
      if (spawnedPid !== undefined) signal(spawnedPid, 'SIGKILL');
      try {
        unlinkSync(recordFile);
      } catch {
        // not there
      }
    },
  };
}

async function readRecord(file: string): Promise<DevServerRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(file, 'utf8')) as Partial<DevServerRecord>;
    return typeof record.pid === 'number' && typeof record.owner === 'number' ? (record as DevServerRecord) : undefined;
  } catch {
    return undefined;
  }
}
