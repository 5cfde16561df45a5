/** Runs the independent SCIM test target, PyPI `scim2-server`, as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { stopProcess, waitForPort } from '../../src/temporal/dev-server';
import { toolPath } from '../../src/tools/index';
import { portForLater } from './ports';

export interface ScimServer {
  /** Base URL without a tenant: `http://127.0.0.1:PORT`. */
  url: string;
  token: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startScimServer(options: {
  token: string;
  serviceProviderConfig?: string;
  extraArgs?: string[];
}): Promise<ScimServer> {
  const port = await portForLater();
  const args = ['--hostname', '127.0.0.1', '--port', String(port), '--bearer-token', options.token, '--dynamic-tenants'];
  if (options.serviceProviderConfig) args.push('--service-provider-config', options.serviceProviderConfig);
  args.push(...(options.extraArgs ?? []));
  const child = spawn(await toolPath('scim2-server'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let exitReason: string | undefined;
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-2000);
  });
  child.on('exit', (code) => {
    exitReason = `scim2-server exited with code ${code}: ${stderrTail.trim()}`;
  });
  await waitForPort('127.0.0.1', port, 30_000, () => exitReason);
  return {
    url: `http://127.0.0.1:${port}`,
    token: options.token,
    process: child,
    stop: () => stopProcess(child),
  };
}
