/**
 * Runs a local Temporal dev server (the Temporal CLI's `server start-dev`) as a child process.
 * Used by `npm start` when no TEMPORAL_ADDRESS is given (see local-server.ts), and by the test suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { onPath, toolPath } from '../tools/index';
import { SEARCH_ATTRIBUTES } from './search-attributes';

export interface DevServerOptions {
  /** gRPC port; a free one is picked when absent. */
  port?: number;
  /** Web UI port; no UI when absent and `headless` is set. */
  uiPort?: number;
  headless?: boolean;
  /** The codec endpoint the Web UI decodes payloads through (scimflow's `/codec`). */
  uiCodecEndpoint?: string;
  /** SQLite file that keeps workflow state across restarts; in memory when absent. */
  dbFilename?: string;
  ip?: string;
  log?: (line: string) => void;
  /**
   * Runs it in a process group of its own, so a terminal's Ctrl-C (sent to the foreground group)
   * does not reach it and its parent decides when it stops. Stopping signals the whole group.
   */
  detached?: boolean;
  /** Appends its output to this file instead of piping it to the parent (it then outlives a parent that crashed unharmed). */
  logFile?: string;
  /** Told the process id as soon as it was spawned, before it listens. */
  onSpawn?: (pid: number) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A TCP port nobody listens on right now. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Resolves once something accepts TCP connections on host:port, or rejects after `timeoutMs`. */
export async function waitForPort(host: string, port: number, timeoutMs: number, exited?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((done) => {
      const socket = connect({ host, port }, () => {
        socket.destroy();
        done(true);
      });
      socket.on('error', () => done(false));
    });
    if (open) return;
    const why = exited?.();
    if (why) throw new Error(why);
    if (Date.now() > deadline) throw new Error(`nothing listened on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Stops a child process with SIGTERM (SIGKILL after `graceMs`) and resolves once it exited;
 * with `group`, the signals go to its whole process group (a child spawned `detached`).
 */
export function stopProcess(child: ChildProcess, graceMs = 5000, group = false): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    const send = (signal: NodeJS.Signals) => {
      try {
        if (group && child.pid !== undefined) process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        // it exited in the meantime
      }
    };
    send('SIGTERM');
    setTimeout(() => send('SIGKILL'), graceMs).unref();
  });
}

/**
 * The command that runs `bin` so that it ends with its parent, even a parent killed with
 * SIGKILL: on Linux, util-linux's `setpriv --pdeathsig TERM` sets the parent-death signal and
 * then becomes `bin` (same process id). Elsewhere `bin` as it is; a dev server left behind is
 * then replaced by the next start (see local-server.ts).
 */
export function tiedToParent(bin: string, args: string[]): [string, string[]] {
  const setpriv = process.platform === 'linux' ? onPath('setpriv') : undefined;
  return setpriv ? [setpriv, ['--pdeathsig', 'TERM', '--', bin, ...args]] : [bin, args];
}

/** The last `bytes` of a file, or '' when it cannot be read. */
function tail(file: string, bytes = 4000): string {
  try {
    return readFileSync(file, 'utf8').slice(-bytes);
  } catch {
    return '';
  }
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const port = options.port ?? (await freePort(ip));
  const uiPort = options.headless ? undefined : (options.uiPort ?? (await freePort(ip)));
  const bin = await toolPath('temporal', options.log);
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(port), '--log-level', 'warn'];
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(uiPort));
  if (options.uiCodecEndpoint && !options.headless) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.dbFilename) args.push('--db-filename', options.dbFilename);
  for (const [key, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${key}=${type}`);

  const output = options.logFile ? openSync(options.logFile, 'a') : 'pipe';
  const [command, commandArgs] = tiedToParent(bin, args);
  const child = spawn(command, commandArgs, { stdio: ['ignore', output, output], detached: options.detached ?? false });
  if (typeof output === 'number') closeSync(output);
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  let exitReason: string | undefined;
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });
  child.stdout?.on('data', () => {});
  child.on('exit', (code, signal) => {
    const said = options.logFile ? tail(options.logFile) : stderrTail;
    exitReason = `Temporal dev server exited (code ${code}, signal ${signal}): ${said.trim()}`;
  });
  const group = options.detached ?? false;
  try {
    await waitForPort(ip, port, 60_000, () => exitReason);
    if (uiPort) await waitForPort(ip, uiPort, 30_000, () => exitReason);
  } catch (error) {
    await stopProcess(child, 0, group);
    throw error;
  }
  return {
    address: `${ip}:${port}`,
    uiUrl: uiPort ? `http://${ip}:${uiPort}` : undefined,
    process: child,
    stop: () => stopProcess(child, 5000, group),
  };
}
