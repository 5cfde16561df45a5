/**
 * A real SCIM 2.0 target on loopback: PyPI's `scim2-server` (an independent implementation,
 * resources in memory), run from the project's tools as a child process. The demo provisions
 * into it and the tests do too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { stopProcess, tiedToParent, waitForPort } from '../temporal/dev-server';
import { toolPath } from '../tools/index';

export interface ScimTarget {
  /** Base URL without a tenant: `http://127.0.0.1:PORT`. */
  url: string;
  token: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface ScimTargetOptions {
  port: number;
  /** The bearer token it accepts. */
  token: string;
  /** Tenants it serves, each under `/{tenant}/v2`; without any, `--dynamic-tenants` (any `/{tenant}`). */
  tenants?: string[];
  /** A JSON file of the service provider configuration it announces. */
  serviceProviderConfig?: string;
  extraArgs?: string[];
  /**
   * Run it in a process group of its own, so that a terminal's Ctrl-C reaches only its parent,
   * which stops it when it should (default false). It ends with its parent either way on Linux.
   */
  detached?: boolean;
}

/** Starts scim2-server and resolves once it listens; rejects with its own words when it exits first. */
export async function startScimTarget(options: ScimTargetOptions): Promise<ScimTarget> {
  const args = ['--hostname', '127.0.0.1', '--port', String(options.port), '--bearer-token', options.token];
  if (options.tenants?.length) for (const tenant of options.tenants) args.push('--tenant', tenant);
  else args.push('--dynamic-tenants');
  if (options.serviceProviderConfig) args.push('--service-provider-config', options.serviceProviderConfig);
  args.push(...(options.extraArgs ?? []));
  const [command, commandArgs] = tiedToParent(await toolPath('scim2-server'), args);
  const detached = options.detached ?? false;
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'ignore', 'pipe'], detached });
  let exitReason: string | undefined;
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-2000);
  });
  child.on('error', (error) => {
    exitReason = `scim2-server could not be started: ${error.message}`;
  });
  child.on('exit', (code) => {
    exitReason = `scim2-server exited with code ${code}: ${stderrTail.trim()}`;
  });
  try {
    await waitForPort('127.0.0.1', options.port, 30_000, () => exitReason);
  } catch (error) {
    await stopProcess(child, 0, detached);
    throw error;
  }
  return {
    url: `http://127.0.0.1:${options.port}`,
    token: options.token,
    process: child,
    stop: () => stopProcess(child, 5000, detached),
  };
}
