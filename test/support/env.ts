/**
 * What the global test setup started, read from the environment it exported to every test
 * worker. Each test picks its own SCIM tenant, Temporal task queue and database.
 */
import { randomUUID } from 'node:crypto';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through vitest (test/setup/global.ts)`);
  return value;
}

export const testEnv = {
  get temporalAddress() {
    return required('SCIMFLOW_TEST_TEMPORAL_ADDRESS');
  },
  get scimUrl() {
    return required('SCIMFLOW_TEST_SCIM_URL');
  },
  get scimToken() {
    return required('SCIMFLOW_TEST_SCIM_TOKEN');
  },
  /** Directory with `ca.pem`, `cert.pem` and `key.pem` for HTTPS fakes on loopback (the CA is trusted via NODE_EXTRA_CA_CERTS). */
  get tlsDir() {
    return required('SCIMFLOW_TEST_TLS_DIR');
  },
  /** Path of the workflow bundle built once by the global setup. */
  get workflowBundlePath() {
    return required('SCIMFLOW_TEST_WORKFLOW_BUNDLE');
  },
  /** A PostgreSQL server URL (the database part is replaced per test). */
  get postgresUrl() {
    return required('SCIMFLOW_TEST_POSTGRES_URL');
  },
};

/** A base URL on the shared scim2-server for a tenant nobody else uses: `http://.../<tenant>/v2`. */
export function freshScimTenant(prefix = 't'): string {
  return `${testEnv.scimUrl}/${prefix}${randomUUID().replaceAll('-', '').slice(0, 12)}/v2`;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
