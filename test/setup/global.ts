/**
 * Starts what the integration tests talk to, once per test run: a Temporal dev server, the
 * `scim2-server` SCIM target and a test certificate authority for HTTPS fakes on loopback.
 * Real PostgreSQL comes from the machine (SCIMFLOW_TEST_POSTGRES_URL, default 127.0.0.1:5432).
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDevServer } from '../../src/temporal/dev-server';
import { bundleWorkflows } from '../../src/temporal/worker';
import { projectRoot } from '../../src/tools/index';
import { startScimServer } from '../support/scim-server';
import { writeTestCa } from '../support/test-ca';

export default async function setup(): Promise<() => Promise<void>> {
  const tmp = join(projectRoot, '.test-tmp', String(process.pid));
  const tlsDir = join(tmp, 'tls');
  await writeTestCa(tlsDir);

  const [temporal, scim, bundle] = await Promise.all([
    startDevServer({ headless: true }),
    startScimServer({ token: randomBytes(16).toString('hex') }),
    bundleWorkflows(),
  ]);
  // Workers in every test file share one workflow bundle instead of bundling again.
  const bundlePath = join(tmp, 'workflow-bundle.js');
  await writeFile(bundlePath, (bundle as { code: string }).code);
  process.env.SCIMFLOW_TEST_WORKFLOW_BUNDLE = bundlePath;

  process.env.SCIMFLOW_TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.SCIMFLOW_TEST_SCIM_URL = scim.url;
  process.env.SCIMFLOW_TEST_SCIM_TOKEN = scim.token;
  process.env.SCIMFLOW_TEST_TLS_DIR = tlsDir;
  process.env.SCIMFLOW_TEST_POSTGRES_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env.NODE_EXTRA_CA_CERTS = join(tlsDir, 'ca.pem');

  return async () => {
    await Promise.all([temporal.stop(), scim.stop()]);
    await rm(tmp, { recursive: true, force: true });
  };
}
