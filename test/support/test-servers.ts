/**
 * The servers the integration tests and the history recorder talk to: a Temporal dev server,
 * the `scim2-server` SCIM target, a workflow bundle and a test certificate authority for HTTPS
 * fakes on loopback. The processes that use them learn where they are from environment
 * variables (read back by ./env.ts); NODE_EXTRA_CA_CERTS is among them because Node reads it at
 * process start only.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDevServer } from '../../src/temporal/dev-server';
import { bundleWorkflows } from '../../src/temporal/worker';
import { startScimServer } from './scim-server';
import { writeTestCa } from './test-ca';

export interface TestServers {
  /** The `SCIMFLOW_TEST_*` settings and NODE_EXTRA_CA_CERTS for the processes that use the servers. */
  env: Record<string, string>;
  /** Stops the servers and removes `dir`. */
  stop(): Promise<void>;
}

/**
 * Starts the servers, keeping the CA and the workflow bundle in `dir`. When one fails to start,
 * the others are stopped before the failure is thrown.
 */
export async function startTestServers(options: { dir: string; scimToken: string }): Promise<TestServers> {
  const tlsDir = join(options.dir, 'tls');
  await writeTestCa(tlsDir);
  const [temporal, scim, bundle] = await Promise.allSettled([
    startDevServer({ headless: true }),
    startScimServer({ token: options.scimToken }),
    bundleWorkflows(),
  ]);
  const stop = async () => {
    const running = [temporal, scim].flatMap((started) => (started.status === 'fulfilled' ? [started.value] : []));
    await Promise.all(running.map((server) => server.stop()));
    await rm(options.dir, { recursive: true, force: true });
  };
  if (temporal.status === 'rejected' || scim.status === 'rejected' || bundle.status === 'rejected') {
    await stop();
    throw [temporal, scim, bundle].find((started) => started.status === 'rejected')!.reason;
  }
  // Workers in every test file share one workflow bundle instead of bundling again.
  const bundlePath = join(options.dir, 'workflow-bundle.js');
  await writeFile(bundlePath, (bundle.value as { code: string }).code);
  return {
    env: {
      SCIMFLOW_TEST_WORKFLOW_BUNDLE: bundlePath,
      SCIMFLOW_TEST_TEMPORAL_ADDRESS: temporal.value.address,
      SCIMFLOW_TEST_SCIM_URL: scim.value.url,
      SCIMFLOW_TEST_SCIM_TOKEN: scim.value.token,
      SCIMFLOW_TEST_TLS_DIR: tlsDir,
      SCIMFLOW_TEST_POSTGRES_URL: process.env.SCIMFLOW_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      NODE_EXTRA_CA_CERTS: join(tlsDir, 'ca.pem'),
    },
    stop,
  };
}
