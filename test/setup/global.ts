/**
 * Starts what the integration tests talk to, once per test run (see ../support/test-servers.ts):
 * a Temporal dev server, the `scim2-server` SCIM target, a workflow bundle and a test certificate
 * authority for HTTPS fakes on loopback. Real PostgreSQL comes from the machine
 * (SCIMFLOW_TEST_POSTGRES_URL, default 127.0.0.1:5432).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { projectRoot } from '../../src/tools/index';
import { startTestServers } from '../support/test-servers';

export default async function setup(): Promise<() => Promise<void>> {
  const servers = await startTestServers({
    dir: join(projectRoot, '.test-tmp', String(process.pid)),
    scimToken: randomBytes(16).toString('hex'),
  });
  // The test workers are forked after this, so they inherit the settings, the CA included.
  Object.assign(process.env, servers.env);
  return servers.stop;
}
