/** The messages between the benchmark and its worker child process (Node IPC). */
import type { ScimTally } from './scim-tally';

export interface WorkerConfig {
  temporalAddress: string;
  taskQueue: string;
  adminToken: string;
  /** The payload keys (SCIMFLOW_PAYLOAD_KEYS form), shared with the parent's client. */
  payloadKeys: string;
  /** A bundle written by the parent, so the child spends neither time nor memory bundling. */
  workflowBundlePath: string;
  /** PostgreSQL URL; embedded in-memory PGlite, owned by the child, when absent. */
  databaseUrl?: string;
  concurrency: number;
  graphPageSize: number;
}

export type ToWorker = { type: 'start'; config: WorkerConfig } | { type: 'report' } | { type: 'stop' };

export type FromWorker =
  { type: 'ready'; apiUrl: string } | { type: 'report'; scim: ScimTally } | { type: 'stopped' } | { type: 'failed'; message: string };
