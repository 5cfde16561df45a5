/** What the API needs from the rest of the service, passed in so tests can build it freely. */
import type { AppConfig } from '../src/config/app';
import type { HealthMonitor } from '../src/health/index';
import type { Logger } from '../src/log/index';
import type { Store } from '../src/store/index';
import type { PayloadCodec } from '@temporalio/common';
import type { Registry } from 'prom-client';
import { notFound } from './errors';
import type { DiscoveryControl } from './discovery-control';
import type { JobControl } from './jobs';
import type { FailureLimiterOptions } from './rate-limit';

export interface ApiDeps {
  store: Store;
  jobs: JobControl;
  /** Starts unmatched-accounts scans; without it a scan answers 503. */
  discovery?: DiscoveryControl;
  /** The bootstrap admin token (role admin, name `bootstrap`). */
  adminToken: string;
  logger: Logger;
  /** How many failed authentications an address may have per window (default 20 a minute). */
  authFailures?: FailureLimiterOptions;
  /** The service's dependencies for `/healthz` and `/readyz`, and why Temporal is away; without it every dependency counts as up. */
  health?: Pick<HealthMonitor, 'report' | 'away'>;
  /**
   * Runs a request's work; the service ends its Temporal calls when Temporal goes away and makes
   * them fail within a second while it is away (instead of retrying for ~20 s), so the request
   * is answered 503 at once.
   */
  temporalCalls?: <T>(work: () => Promise<T>) => Promise<T>;
  /** The metrics registry `GET /metrics` serves; no such route without it. */
  metrics?: Registry;
  /** The payload codec `POST /codec/encode` and `/codec/decode` serve; no such routes without it. */
  payloadCodec?: PayloadCodec;
  /** Origins (the Temporal UI's) whose browsers may call the codec routes (CORS). */
  codecCorsOrigins?: string[];
}

/** The app, or a 404 answer when there is no such app. */
export async function requireApp(deps: Pick<ApiDeps, 'store'>, id: string): Promise<AppConfig> {
  const found = await deps.store.apps.get(id);
  if (!found) throw notFound('the app');
  return found;
}
