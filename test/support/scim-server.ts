/** Runs the independent SCIM test target, PyPI `scim2-server`, as a child process (src/sandbox/scim-target.ts). */
import { startScimTarget, type ScimTarget } from '../../src/sandbox/index';
import { portForLater } from './ports';

export type ScimServer = ScimTarget;

/** scim2-server on a port of this test worker, creating a tenant on the first request to `/{tenant}`. */
export async function startScimServer(options: {
  token: string;
  serviceProviderConfig?: string;
  extraArgs?: string[];
}): Promise<ScimServer> {
  return startScimTarget({ port: await portForLater(), ...options });
}
